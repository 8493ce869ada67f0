-- Trade-in quotes (以旧换新): versioned pricing rules and the quotes priced with them.
CREATE TABLE `trade_in_rule_versions` (
  `version` INT NOT NULL,
  `rules` JSON NOT NULL,
  `published_at` DATETIME(3) NOT NULL,
  `published_by` VARCHAR(26) NULL,
  PRIMARY KEY (`version`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `trade_in_quotes` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `category` VARCHAR(24) NOT NULL,
  `rule_version` INT NOT NULL,
  `answers` JSON NOT NULL,
  `amount_fen` INT NOT NULL,
  `subsidy_fen` INT NOT NULL,
  `total_fen` INT NOT NULL,
  `breakdown` JSON NOT NULL,
  `created_at` DATETIME(3) NOT NULL,
  `expires_at` DATETIME(3) NOT NULL,
  `order_id` VARCHAR(26) NULL,
  `credit_fen` INT NULL,
  `credit_cap_fen` INT NULL,
  `inspected_condition` VARCHAR(12) NULL,
  `inspected_working` BOOLEAN NULL,
  `final_fen` INT NULL,
  `final_breakdown` JSON NULL,
  `inspected_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_trade_in_quotes_order` (`order_id`),
  KEY `idx_trade_in_quotes_user_created` (`user_id`, `created_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
