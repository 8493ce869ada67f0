-- Foundation: users, roles, stores and their owners.
CREATE TABLE `users` (
  `id` VARCHAR(26) NOT NULL,
  `openid` VARCHAR(64) NULL,
  `nickname` VARCHAR(64) NOT NULL,
  `phone_enc` VARBINARY(255) NULL,
  `phone_hash` CHAR(64) NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `deleted_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_users_openid` (`openid`),
  KEY `idx_users_phone_hash` (`phone_hash`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `user_roles` (
  `user_id` VARCHAR(26) NOT NULL,
  `role` VARCHAR(16) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`user_id`, `role`),
  CONSTRAINT `fk_user_roles_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `stores` (
  `id` VARCHAR(32) NOT NULL,
  `name` VARCHAR(100) NOT NULL,
  `type` VARCHAR(16) NOT NULL,
  `region_code` VARCHAR(12) NOT NULL,
  `address` VARCHAR(200) NOT NULL,
  `lat` DECIMAL(9,6) NOT NULL,
  `lng` DECIMAL(9,6) NOT NULL,
  `phone` VARCHAR(20) NOT NULL,
  `open_hours` VARCHAR(40) NOT NULL,
  `services` VARCHAR(100) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_stores_region` (`region_code`),
  KEY `idx_stores_type` (`type`),
  KEY `idx_stores_lat_lng` (`lat`, `lng`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `store_owners` (
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  PRIMARY KEY (`user_id`, `store_id`),
  KEY `idx_store_owners_store` (`store_id`),
  CONSTRAINT `fk_store_owners_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `fk_store_owners_store` FOREIGN KEY (`store_id`) REFERENCES `stores` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
