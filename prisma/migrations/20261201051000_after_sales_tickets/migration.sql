-- After-sales: service tickets, their append-only event log, and the stores each grid manager answers for.
CREATE TABLE `tickets` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `kind` VARCHAR(16) NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `version` INT NOT NULL DEFAULT 1,
  `appliance_id` VARCHAR(26) NULL,
  `order_id` VARCHAR(26) NULL,
  `description` VARCHAR(500) NOT NULL,
  `open_key` VARCHAR(80) NULL,
  `idem_key` VARCHAR(128) NULL,
  `request_hash` CHAR(64) NULL,
  `respond_by` DATETIME(3) NOT NULL,
  `escalated_at` DATETIME(3) NULL,
  `accepted_at` DATETIME(3) NULL,
  `resolved_at` DATETIME(3) NULL,
  `closed_at` DATETIME(3) NULL,
  `reject_reason` VARCHAR(200) NULL,
  `visit_id` VARCHAR(26) NULL,
  `visit_starts_at` DATETIME(3) NULL,
  `visit_ends_at` DATETIME(3) NULL,
  `rating_stars` INT NULL,
  `rating_comment` VARCHAR(300) NULL,
  `rating_photo_id` VARCHAR(26) NULL,
  `rated_at` DATETIME(3) NULL,
  `wall_status` VARCHAR(10) NULL,
  `wall_decided_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  -- One open ticket of a kind per appliance or order: set while open, NULL once answered.
  UNIQUE KEY `uq_tickets_open_key` (`open_key`),
  UNIQUE KEY `uq_tickets_user_idem` (`user_id`, `idem_key`),
  KEY `idx_tickets_user_created` (`user_id`, `created_at`),
  KEY `idx_tickets_store_status_respond` (`store_id`, `status`, `respond_by`),
  KEY `idx_tickets_status_respond` (`status`, `respond_by`),
  KEY `idx_tickets_store_wall` (`store_id`, `wall_status`, `rated_at`),
  CONSTRAINT `ck_tickets_rating_stars` CHECK (`rating_stars` IS NULL OR `rating_stars` BETWEEN 1 AND 5)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Append-only: rows are inserted, never updated or deleted. seq is the ticket's version after the
-- move, so two moves can never both follow the same state.
CREATE TABLE `ticket_events` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `ticket_id` VARCHAR(26) NOT NULL,
  `seq` INT NOT NULL,
  `actor_user_id` VARCHAR(26) NULL,
  `actor` VARCHAR(16) NOT NULL,
  `action` VARCHAR(16) NOT NULL,
  `from_state` VARCHAR(12) NULL,
  `to_state` VARCHAR(12) NOT NULL,
  `note` VARCHAR(500) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_ticket_events_seq` (`ticket_id`, `seq`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `grid_manager_stores` (
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `appointed_by` VARCHAR(26) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`user_id`, `store_id`),
  KEY `idx_grid_manager_stores_store` (`store_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
