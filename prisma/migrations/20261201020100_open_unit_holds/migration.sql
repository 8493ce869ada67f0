-- Hoarding: the units a user holds in open direct orders, per SKU and all SKUs together (sku_id ''),
-- against a cap written with every reservation. The CHECK refuses a reservation past the cap in the
-- database itself, whatever the concurrency; picking up, cancelling or expiring gives the units back.
CREATE TABLE `open_unit_holds` (
  `user_id` VARCHAR(26) NOT NULL,
  `sku_id` VARCHAR(40) NOT NULL,
  `units` INT NOT NULL,
  `cap` INT NOT NULL,
  PRIMARY KEY (`user_id`, `sku_id`),
  CONSTRAINT `ck_open_unit_holds_cap` CHECK (`units` >= 0 AND `units` <= `cap`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- What open orders already hold counts; a user above today's cap orders again once under it.
INSERT INTO `open_unit_holds` (`user_id`, `sku_id`, `units`, `cap`)
SELECT o.`user_id`, i.`sku_id`, SUM(i.`units`), SUM(i.`units`)
  FROM `orders` o JOIN `order_items` i ON i.`order_id` = o.`id`
 WHERE o.`status` = 'awaiting_pickup' AND o.`source` = 'direct'
 GROUP BY o.`user_id`, i.`sku_id`;
INSERT INTO `open_unit_holds` (`user_id`, `sku_id`, `units`, `cap`)
SELECT o.`user_id`, '', SUM(i.`units`), SUM(i.`units`)
  FROM `orders` o JOIN `order_items` i ON i.`order_id` = o.`id`
 WHERE o.`status` = 'awaiting_pickup' AND o.`source` = 'direct'
 GROUP BY o.`user_id`;

-- A group that cannot settle (no stock, or too many failed tries) fails and says why.
ALTER TABLE `group_buys`
  ADD COLUMN `failure_reason` VARCHAR(24) NULL,
  ADD COLUMN `settle_attempts` INT NOT NULL DEFAULT 0;
