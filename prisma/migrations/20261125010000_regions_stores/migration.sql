-- China's administrative divisions (province → city → county → town → village), the bigram index
-- that finds a region by any part of its name, and the villages each store serves.
-- Names and grams compare by code point (utf8mb4_bin): utf8mb4_unicode_ci weighs every character
-- outside the BMP the same, which would merge distinct rare characters of place names.
CREATE TABLE `regions` (
  `code` VARCHAR(12) NOT NULL,
  `name` VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `level` TINYINT UNSIGNED NOT NULL,
  `parent_code` VARCHAR(12) NULL,
  PRIMARY KEY (`code`),
  KEY `idx_regions_parent` (`parent_code`),
  KEY `idx_regions_name` (`name`(8))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `region_grams` (
  `gram` CHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `region_code` VARCHAR(12) NOT NULL,
  PRIMARY KEY (`gram`, `region_code`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `region_gram_counts` (
  `gram` CHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `n` INT NOT NULL,
  PRIMARY KEY (`gram`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `store_service_areas` (
  `store_id` VARCHAR(32) NOT NULL,
  `region_code` VARCHAR(12) NOT NULL,
  PRIMARY KEY (`store_id`, `region_code`),
  KEY `idx_store_service_areas_region` (`region_code`, `store_id`),
  CONSTRAINT `fk_store_service_areas_store` FOREIGN KEY (`store_id`) REFERENCES `stores` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
