-- Payments (WeChat Pay APIv3 beside pay at pickup). An order placed with `payment: "online"` has
-- one payment, whose id is the out_trade_no WeChat Pay knows it by; the order keeps its own
-- payment mode and the time it was paid (written by the orders module only).
ALTER TABLE `orders` ADD COLUMN `payment_mode` VARCHAR(12) NOT NULL DEFAULT 'on_pickup';
ALTER TABLE `orders` ADD COLUMN `paid_at` DATETIME(3) NULL;
CREATE INDEX `idx_orders_payment_mode_status` ON `orders` (`payment_mode`, `status`, `created_at`);

CREATE TABLE `payments` (
  `id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `amount_fen` INT NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `payer_openid` VARCHAR(128) NOT NULL,
  `prepay_id` VARCHAR(64) NULL,
  `prepay_expires_at` DATETIME(3) NULL,
  `pay_deadline` DATETIME(3) NOT NULL,
  `transaction_id` VARCHAR(32) NULL,
  `paid_at` DATETIME(3) NULL,
  `closed_at` DATETIME(3) NULL,
  `refund_reserved_fen` INT NOT NULL DEFAULT 0,
  `refunded_fen` INT NOT NULL DEFAULT 0,
  `last_queried_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_payments_order` (`order_id`),
  UNIQUE KEY `uq_payments_transaction` (`transaction_id`),
  KEY `idx_payments_status_created` (`status`, `created_at`),
  -- Refunds never exceed what was paid, whatever the concurrency: the reserving UPDATE is
  -- conditional, and the database refuses a row that would break this anyway.
  CONSTRAINT `ck_payments_refunds` CHECK (`refunded_fen` >= 0 AND `refunded_fen` <= `refund_reserved_fen` AND `refund_reserved_fen` <= `amount_fen`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Every notification WeChat Pay sent that passed verification, once: a repeat finds its id here.
CREATE TABLE `payment_notifications` (
  `id` VARCHAR(64) NOT NULL,
  `event_type` VARCHAR(32) NOT NULL,
  `out_trade_no` VARCHAR(32) NULL,
  `out_refund_no` VARCHAR(64) NULL,
  `outcome` VARCHAR(16) NOT NULL,
  `received_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- A refund has its own out_refund_no (its id); one per cause (an order closed, an after-sales refund).
CREATE TABLE `payment_refunds` (
  `id` VARCHAR(26) NOT NULL,
  `payment_id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `amount_fen` INT NOT NULL,
  `reason` VARCHAR(80) NOT NULL,
  `cause` VARCHAR(16) NOT NULL,
  `cause_ref` VARCHAR(64) NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `refund_id` VARCHAR(64) NULL,
  `attempts` INT NOT NULL DEFAULT 0,
  `next_attempt_at` DATETIME(3) NOT NULL,
  `last_error` VARCHAR(300) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `succeeded_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_payment_refunds_cause` (`payment_id`, `cause`, `cause_ref`),
  KEY `idx_payment_refunds_status_due` (`status`, `next_attempt_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- The mini-program platform holds a payment's funds until its shipping info is uploaded.
CREATE TABLE `payment_shipments` (
  `payment_id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `logistics_type` INT NOT NULL,
  `item_desc` VARCHAR(120) NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `attempts` INT NOT NULL DEFAULT 0,
  `next_attempt_at` DATETIME(3) NOT NULL,
  `last_error` VARCHAR(300) NULL,
  `uploaded_at` DATETIME(3) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`payment_id`),
  KEY `idx_payment_shipments_status_due` (`status`, `next_attempt_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Reconciliation against WeChat Pay's daily trade bill: one run per bill date, every mismatch once.
CREATE TABLE `payment_bill_runs` (
  `bill_date` DATE NOT NULL,
  `bill_rows` INT NOT NULL,
  `mismatches` INT NOT NULL,
  `finished_at` DATETIME(3) NOT NULL,
  PRIMARY KEY (`bill_date`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `payment_mismatches` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `bill_date` DATE NOT NULL,
  `kind` VARCHAR(20) NOT NULL,
  `ref` VARCHAR(64) NOT NULL,
  `here_fen` INT NULL,
  `there_fen` INT NULL,
  `detail` VARCHAR(300) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_payment_mismatches` (`bill_date`, `kind`, `ref`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
