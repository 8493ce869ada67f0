-- The transactional outbox: an event is written in the same transaction as the change it reports;
-- the dispatcher fans it out to every subscriber of its type (one delivery row each) and runs each
-- delivery until it is done, at least once. Subscribers are idempotent.
CREATE TABLE `outbox_events` (
  `id` VARCHAR(26) NOT NULL,
  `type` VARCHAR(64) NOT NULL,
  `aggregate_id` VARCHAR(64) NOT NULL,
  `payload` JSON NOT NULL,
  `created_at` DATETIME(3) NOT NULL,
  `fanned_out` BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (`id`),
  KEY `idx_outbox_events_fanned_out` (`fanned_out`, `id`),
  KEY `idx_outbox_events_aggregate` (`aggregate_id`, `id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `outbox_deliveries` (
  `event_id` VARCHAR(26) NOT NULL,
  `subscriber` VARCHAR(64) NOT NULL,
  `status` VARCHAR(12) NOT NULL DEFAULT 'pending',
  `attempts` INT NOT NULL DEFAULT 0,
  `next_attempt_at` DATETIME(3) NOT NULL,
  `last_error` VARCHAR(500) NULL,
  `done_at` DATETIME(3) NULL,
  PRIMARY KEY (`event_id`, `subscriber`),
  KEY `idx_outbox_deliveries_due` (`status`, `next_attempt_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
