-- Campaigns, coupon templates, claimed coupons.
CREATE TABLE `campaigns` (
  `id` VARCHAR(32) NOT NULL,
  `name` VARCHAR(100) NOT NULL,
  `starts_at` DATETIME(3) NOT NULL,
  `ends_at` DATETIME(3) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_campaigns_ends` (`ends_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `coupon_templates` (
  `id` VARCHAR(32) NOT NULL,
  `campaign_id` VARCHAR(32) NOT NULL,
  `title` VARCHAR(100) NOT NULL,
  `kind` VARCHAR(16) NOT NULL,
  `threshold_fen` INT NOT NULL,
  `discount_fen` INT NOT NULL,
  `categories` VARCHAR(200) NOT NULL,
  `total` INT NOT NULL,
  `per_user_limit` INT NOT NULL,
  `valid_days` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_coupon_templates_campaign` (`campaign_id`),
  CONSTRAINT `fk_coupon_templates_campaign` FOREIGN KEY (`campaign_id`) REFERENCES `campaigns` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `coupons` (
  `id` VARCHAR(26) NOT NULL,
  `template_id` VARCHAR(32) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `slot` INT NOT NULL,
  `seq` INT NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `order_id` VARCHAR(26) NULL,
  `claimed_at` DATETIME(3) NOT NULL,
  `expires_at` DATETIME(3) NOT NULL,
  `used_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_coupons_template_slot` (`template_id`, `slot`),
  UNIQUE KEY `uq_coupons_template_user_seq` (`template_id`, `user_id`, `seq`),
  KEY `idx_coupons_user_status` (`user_id`, `status`),
  KEY `idx_coupons_order` (`order_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
