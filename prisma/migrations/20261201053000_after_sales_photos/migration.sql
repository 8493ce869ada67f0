-- After-sales: photos uploaded for tickets and ratings (the file itself lives in the photo store).
CREATE TABLE `photos` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `ticket_id` VARCHAR(26) NULL,
  `storage_key` VARCHAR(100) NOT NULL,
  `sha256` CHAR(64) NOT NULL,
  `bytes` INT NOT NULL,
  `width` INT NOT NULL,
  `height` INT NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_photos_ticket` (`ticket_id`),
  KEY `idx_photos_user_created` (`user_id`, `created_at`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
