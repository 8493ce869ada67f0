-- Identifiers compare byte for byte. Under the tables' utf8mb4_unicode_ci, `oAbC…` and `oabc…`
-- were one WeChat user (openids are case-sensitive: two people), and a pickup code, share code or
-- idempotency key matched other spellings of itself (case, full-width digits). Same types and
-- nullability; only the collation moves. The orders table is rebuilt: run before traffic.
ALTER TABLE `users` MODIFY `openid` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
ALTER TABLE `payments`
  MODIFY `payer_openid` VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  MODIFY `prepay_id` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  MODIFY `transaction_id` VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
ALTER TABLE `orders`
  MODIFY `pickup_code` CHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  MODIFY `open_pickup_code` CHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
ALTER TABLE `group_buys` MODIFY `share_code` CHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE `idempotency_keys` MODIFY `idem_key` VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE `tickets`
  MODIFY `idem_key` VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  MODIFY `open_key` VARCHAR(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
