-- After-sales: refunds of returned orders. One per ticket and one per order, whatever the retries.
CREATE TABLE `ticket_refunds` (
  `id` VARCHAR(26) NOT NULL,
  `ticket_id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `amount_fen` INT NOT NULL,
  `method` VARCHAR(16) NOT NULL,
  `refunded_by` VARCHAR(26) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_ticket_refunds_ticket` (`ticket_id`),
  UNIQUE KEY `uq_ticket_refunds_order` (`order_id`),
  CONSTRAINT `ck_ticket_refunds_amount` CHECK (`amount_fen` >= 0)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
