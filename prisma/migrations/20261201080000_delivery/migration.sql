-- Delivery, installation and haul-away (送装一体, 送新拉旧): what a store charges and how far it
-- goes, the villages' centres the distance is measured to, appointment slots with their capacity,
-- the villagers' addresses, and the appointments booked into slots. Owned by modules/delivery.

-- A store's delivery terms: free within free_km of the store, remote_fen_per_km for every started
-- kilometre beyond, nothing beyond max_km.
CREATE TABLE `store_delivery_terms` (
  `store_id` VARCHAR(32) NOT NULL,
  `free_km` INT NOT NULL,
  `remote_fen_per_km` INT NOT NULL,
  `max_km` INT NOT NULL,
  `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`store_id`),
  CONSTRAINT `ck_store_delivery_terms` CHECK (`free_km` >= 0 AND `remote_fen_per_km` >= 0 AND `max_km` >= `free_km`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Per category, per unit: delivery, installation, hauling the old unit away.
CREATE TABLE `store_delivery_fees` (
  `store_id` VARCHAR(32) NOT NULL,
  `category` VARCHAR(24) NOT NULL,
  `delivery_fen` INT NOT NULL,
  `install_fen` INT NOT NULL,
  `haul_away_fen` INT NOT NULL,
  PRIMARY KEY (`store_id`, `category`),
  CONSTRAINT `ck_store_delivery_fees` CHECK (`delivery_fen` >= 0 AND `install_fen` >= 0 AND `haul_away_fen` >= 0)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Where a village's centre is (GCJ-02): the remote fee is measured from the store to it.
CREATE TABLE `village_centres` (
  `region_code` VARCHAR(12) NOT NULL,
  `lat` DECIMAL(9, 6) NOT NULL,
  `lng` DECIMAL(9, 6) NOT NULL,
  PRIMARY KEY (`region_code`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- A window of a store's day (morning, afternoon, evening) with its capacity. A booking takes a
-- place by one conditional UPDATE (booked < capacity); the database refuses a row past capacity anyway.
CREATE TABLE `delivery_slots` (
  `id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `slot_date` DATE NOT NULL,
  `time_window` VARCHAR(10) NOT NULL,
  `starts_at` DATETIME(3) NOT NULL,
  `ends_at` DATETIME(3) NOT NULL,
  `capacity` INT NOT NULL,
  `booked` INT NOT NULL DEFAULT 0,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_delivery_slots_store_window` (`store_id`, `slot_date`, `time_window`),
  CONSTRAINT `ck_delivery_slots_booked` CHECK (`booked` >= 0 AND `booked` <= `capacity`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- A villager's delivery address; the phone encrypted (AES-256-GCM) with its keyed hash.
CREATE TABLE `user_addresses` (
  `id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `village_code` VARCHAR(12) NOT NULL,
  `detail` VARCHAR(200) NOT NULL,
  `contact_name` VARCHAR(40) NOT NULL,
  `phone_enc` VARBINARY(255) NOT NULL,
  `phone_hash` CHAR(64) NOT NULL,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  KEY `idx_user_addresses_user` (`user_id`, `id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- A delivery order's visit: booked → assigned → en_route → arrived → completed, or no_show,
-- cancelled. The address is copied in (the villager may delete theirs). A place in the slot is
-- given back only by the UPDATE that moves the appointment out of its open states, so once.
CREATE TABLE `delivery_appointments` (
  `id` VARCHAR(26) NOT NULL,
  `order_id` VARCHAR(26) NOT NULL,
  `user_id` VARCHAR(26) NOT NULL,
  `store_id` VARCHAR(32) NOT NULL,
  `slot_id` VARCHAR(26) NOT NULL,
  `status` VARCHAR(12) NOT NULL,
  `install` TINYINT(1) NOT NULL,
  `haul_away` TINYINT(1) NOT NULL,
  `village_code` VARCHAR(12) NOT NULL,
  `address_detail` VARCHAR(200) NOT NULL,
  `contact_name` VARCHAR(40) NOT NULL,
  `phone_enc` VARBINARY(255) NOT NULL,
  `distance_m` INT NULL,
  `delivery_code` CHAR(6) NOT NULL,
  `technician_id` VARCHAR(26) NULL,
  `reschedules` INT NOT NULL DEFAULT 0,
  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `closed_at` DATETIME(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_delivery_appointments_order` (`order_id`),
  KEY `idx_delivery_appointments_slot` (`slot_id`),
  KEY `idx_delivery_appointments_store_status` (`store_id`, `status`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Delivery orders: how they are fulfilled and what the visit costs (payable_fen includes it).
ALTER TABLE `orders` ADD COLUMN `fulfilment` VARCHAR(8) NOT NULL DEFAULT 'pickup';
ALTER TABLE `orders` ADD COLUMN `delivery_fen` INT NOT NULL DEFAULT 0;
ALTER TABLE `orders` ADD COLUMN `install_fen` INT NOT NULL DEFAULT 0;
ALTER TABLE `orders` ADD COLUMN `haul_away_fen` INT NOT NULL DEFAULT 0;
ALTER TABLE `orders` ADD COLUMN `remote_fen` INT NOT NULL DEFAULT 0;
