-- After-sales: the household's appliances (我的家电).
CREATE TABLE `appliances` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NULL,
  `category` VARCHAR(24) NOT NULL,
  `brand` VARCHAR(40) NOT NULL,
  `name` VARCHAR(100) NOT NULL,
  `model` VARCHAR(100) NULL,
  `serial_number` VARCHAR(64) NULL,
  `source` VARCHAR(8) NOT NULL,
  `order_id` VARCHAR(26) NULL,
  `sku_id` VARCHAR(40) NULL,
  `unit_no` INT NOT NULL DEFAULT 1,
  `installed_at` DATETIME(3) NOT NULL,
  `warranty_until` DATETIME(3) NULL,
  `next_maintenance_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  -- One row per unit of an order: an order event handled twice adds nothing (NULLs for hand-added ones).
  UNIQUE KEY `uq_appliances_order_unit` (`order_id`, `sku_id`, `unit_no`),
  KEY `idx_appliances_user_created` (`user_id`, `created_at`),
  KEY `idx_appliances_next_maintenance` (`next_maintenance_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
