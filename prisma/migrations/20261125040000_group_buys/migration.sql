-- Leaders, group-buys, their members, the leaders' commission ledger.
CREATE TABLE `leaders` (
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `village_code` VARCHAR(12) NOT NULL,
  `real_name` VARCHAR(40) NOT NULL,
  `phone_enc` VARBINARY(255) NOT NULL,
  `phone_hash` CHAR(64) NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `approved_by` VARCHAR(26) NULL,
  `approved_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`user_id`, `store_id`),
  KEY `idx_leaders_store_status` (`store_id`, `status`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `group_buys` (
  `id` VARCHAR(26) NOT NULL,
  `leader_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `sku_id` VARCHAR(40) NOT NULL,
  `tiers` TEXT NOT NULL,
  `max_units` INT NOT NULL,
  `max_units_per_member` INT NOT NULL,
  `units_joined` INT NOT NULL,
  `members_count` INT NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `deadline` DATETIME(3) NOT NULL,
  `share_code` CHAR(8) NOT NULL,
  `settled_price_fen` INT NULL,
  `settling_since` DATETIME(3) NULL,
  `settled_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_group_buys_share_code` (`share_code`),
  KEY `idx_group_buys_status_deadline` (`status`, `deadline`),
  KEY `idx_group_buys_store_status` (`store_id`, `status`),
  KEY `idx_group_buys_leader` (`leader_id`),
  -- Joined units never pass the group's maximum, whatever the concurrency.
  CONSTRAINT `ck_group_buys_units` CHECK (`units_joined` >= 0 AND `units_joined` <= `max_units`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `group_buy_members` (
  `id` VARCHAR(26) NOT NULL,
  `group_buy_id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NULL,
  `proxy_name` VARCHAR(40) NULL,
  `proxy_phone_enc` VARBINARY(255) NULL,
  `proxy_phone_hash` CHAR(64) NULL,
  `units` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_group_buy_members_user` (`group_buy_id`, `user_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `leader_commissions` (
  `id` VARCHAR(26) NOT NULL,
  `leader_id` VARCHAR(26) NOT NULL,
  `group_buy_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `sales_fen` INT NOT NULL,
  `rate_bp` INT NOT NULL,
  `amount_fen` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_leader_commissions_group` (`group_buy_id`),
  KEY `idx_leader_commissions_leader` (`leader_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
