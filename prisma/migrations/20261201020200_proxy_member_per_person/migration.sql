-- A neighbour joined by a leader is one person per group, known by the keyed hash of their phone:
-- the same phone cannot be added again under another name to get around the per-member limit.
-- Rows already there twice keep their units (they were accepted then), and all but the first of
-- each person get a hash no phone has, so the key can be added.
UPDATE `group_buy_members` m
  JOIN (SELECT `group_buy_id`, `proxy_phone_hash`, MIN(`id`) AS keep_id FROM `group_buy_members`
         WHERE `proxy_phone_hash` IS NOT NULL GROUP BY `group_buy_id`, `proxy_phone_hash` HAVING COUNT(*) > 1) d
    ON d.`group_buy_id` = m.`group_buy_id` AND d.`proxy_phone_hash` = m.`proxy_phone_hash` AND m.`id` <> d.keep_id
   SET m.`proxy_phone_hash` = CONCAT('dup:', LEFT(m.`proxy_phone_hash`, 34), m.`id`);

ALTER TABLE `group_buy_members` ADD UNIQUE KEY `uq_group_buy_members_proxy_phone` (`group_buy_id`, `proxy_phone_hash`);
