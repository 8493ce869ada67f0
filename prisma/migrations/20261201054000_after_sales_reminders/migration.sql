-- After-sales: maintenance reminders, one per appliance and upkeep cycle, and the store's call list.
CREATE TABLE `maintenance_reminders` (
  `id` VARCHAR(26) NOT NULL,
  `appliance_id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NULL,
  `category` VARCHAR(24) NOT NULL,
  `cycle` CHAR(10) NOT NULL,
  `due_at` DATETIME(3) NOT NULL,
  `notify_status` VARCHAR(10) NOT NULL,
  `notify_claimed_at` DATETIME(3) NULL,
  `notified_at` DATETIME(3) NULL,
  `called_at` DATETIME(3) NULL,
  `called_by` VARCHAR(26) NULL,
  `call_note` VARCHAR(200) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  -- Exactly one reminder per appliance and cycle, whatever the number of processes running the job.
  UNIQUE KEY `uq_maintenance_reminders_cycle` (`appliance_id`, `cycle`),
  KEY `idx_maintenance_reminders_user_due` (`user_id`, `due_at`),
  KEY `idx_maintenance_reminders_store_status` (`store_id`, `notify_status`, `due_at`),
  KEY `idx_maintenance_reminders_status_claimed` (`notify_status`, `notify_claimed_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
