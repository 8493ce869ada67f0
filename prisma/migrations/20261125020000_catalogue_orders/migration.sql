-- Catalogue (products, SKUs with availability), orders, their items, audit, idempotency keys.
CREATE TABLE `products` (
  `id` VARCHAR(32) NOT NULL,
  `name` VARCHAR(100) NOT NULL,
  `brand` VARCHAR(40) NOT NULL,
  `category` VARCHAR(24) NOT NULL,
  `description` VARCHAR(500) NOT NULL,
  `image_url` VARCHAR(200) NOT NULL,
  `tags` VARCHAR(100) NOT NULL,
  `price_fen` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_products_category_brand` (`category`, `brand`),
  KEY `idx_products_brand` (`brand`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `skus` (
  `id` VARCHAR(40) NOT NULL,
  `product_id` VARCHAR(32) NOT NULL,
  `spec` VARCHAR(100) NOT NULL,
  `price_fen` INT NOT NULL,
  `available` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_skus_product` (`product_id`),
  -- Availability never goes below zero, whatever the concurrency: a reservation that would take it
  -- there fails in the database itself (MariaDB 10.2+, MySQL 8.0.16+, TiDB 7.2+ enforce CHECK).
  CONSTRAINT `ck_skus_available` CHECK (`available` >= 0),
  CONSTRAINT `fk_skus_product` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `orders` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `status` VARCHAR(20) NOT NULL,
  `source` VARCHAR(16) NOT NULL,
  `group_buy_id` VARCHAR(26) NULL,
  `group_buy_member_id` VARCHAR(26) NULL,
  `proxy_member_id` VARCHAR(26) NULL,
  `coupon_id` VARCHAR(26) NULL,
  `trade_in_quote_id` VARCHAR(26) NULL,
  `items_fen` INT NOT NULL,
  `coupon_fen` INT NOT NULL,
  `trade_in_fen` INT NOT NULL,
  `payable_fen` INT NOT NULL,
  `pickup_code` CHAR(8) NOT NULL,
  `open_pickup_code` CHAR(8) NULL,
  `payment_method` VARCHAR(16) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `expires_at` DATETIME(3) NOT NULL,
  `picked_up_at` DATETIME(3) NULL,
  `closed_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_orders_group_buy_member` (`group_buy_member_id`),
  UNIQUE KEY `uq_orders_open_pickup_code` (`open_pickup_code`),
  KEY `idx_orders_user_created` (`user_id`, `created_at`),
  KEY `idx_orders_store_status` (`store_id`, `status`),
  KEY `idx_orders_status_expires` (`status`, `expires_at`),
  KEY `idx_orders_group_buy` (`group_buy_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `order_items` (
  `order_id` VARCHAR(26) NOT NULL,
  `sku_id` VARCHAR(40) NOT NULL,
  `product_id` VARCHAR(32) NOT NULL,
  `product_name` VARCHAR(100) NOT NULL,
  `spec` VARCHAR(100) NOT NULL,
  `category` VARCHAR(24) NOT NULL,
  `units` INT NOT NULL,
  `unit_price_fen` INT NOT NULL,
  PRIMARY KEY (`order_id`, `sku_id`),
  CONSTRAINT `fk_order_items_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `order_audit` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `order_id` VARCHAR(26) NOT NULL,
  `actor_user_id` VARCHAR(26) NULL,
  `action` VARCHAR(32) NOT NULL,
  `from_state` VARCHAR(20) NULL,
  `to_state` VARCHAR(20) NULL,
  `detail` TEXT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_order_audit_order` (`order_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `idempotency_keys` (
  `user_id` VARCHAR(26) NOT NULL,
  `idem_key` VARCHAR(128) NOT NULL,
  `request_hash` CHAR(64) NOT NULL,
  `status_code` INT NULL,
  `response` TEXT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`user_id`, `idem_key`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
