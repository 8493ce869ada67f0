-- Technicians (师傅): a signed-in user bound by a store's owner to that store, one store each; the
-- visits they are given, and what they record at the door.
CREATE TABLE `store_technicians` (
  `id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `name` VARCHAR(40) NOT NULL,
  `phone_enc` VARBINARY(255) NOT NULL,
  `phone_hash` CHAR(64) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_store_technicians_user` (`user_id`),
  KEY `idx_store_technicians_store` (`store_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `delivery_appointments` ADD COLUMN `serial_numbers` VARCHAR(400) NULL;
ALTER TABLE `delivery_appointments` ADD COLUMN `departed_at` DATETIME(3) NULL;
ALTER TABLE `delivery_appointments` ADD COLUMN `arrived_at` DATETIME(3) NULL;
CREATE INDEX `idx_delivery_appointments_technician` ON `delivery_appointments` (`technician_id`, `status`);
