-- The leader's commission ledger by order, not by group: commission accrues when an order is picked
-- up or delivered and is reversed when it is cancelled, expires or is refunded. Each entry names the
-- event that caused it. One accrual and one reversal per order at most (a unique key), so replayed
-- events change nothing; a reversal that comes first closes the order's ledger (amount 0) and no
-- accrual can follow it.
CREATE TABLE `commission_entries` (
  `id` VARCHAR(26) NOT NULL,
  `leader_id` VARCHAR(26) NOT NULL,
  `group_buy_id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `kind` VARCHAR(12) NOT NULL,
  `cause` VARCHAR(32) NOT NULL,
  `event_id` VARCHAR(26) NULL,
  `sales_fen` INT NOT NULL,
  `rate_bp` INT NOT NULL,
  `amount_fen` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_commission_entries_order_kind` (`order_id`, `kind`),
  KEY `idx_commission_entries_leader` (`leader_id`, `id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Commission booked at settlement stays only for orders that were really picked up.
INSERT INTO `commission_entries` (`id`, `leader_id`, `group_buy_id`, `order_id`, `store_id`, `kind`, `cause`, `event_id`, `sales_fen`, `rate_bp`, `amount_fen`, `created_at`)
SELECT o.`id`, c.`leader_id`, c.`group_buy_id`, o.`id`, c.`store_id`, 'accrual', 'order.picked_up', NULL, o.`payable_fen`, c.`rate_bp`,
       FLOOR(o.`payable_fen` * c.`rate_bp` / 10000), COALESCE(o.`picked_up_at`, CURRENT_TIMESTAMP(3))
  FROM `leader_commissions` c JOIN `orders` o ON o.`group_buy_id` = c.`group_buy_id`
 WHERE o.`status` = 'picked_up';

DROP TABLE `leader_commissions`;
