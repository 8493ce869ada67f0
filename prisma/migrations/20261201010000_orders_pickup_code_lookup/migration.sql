-- The counter looks a pickup code up at the owner's stores, open or already handed over
-- (409 ALREADY_PICKED_UP with the time): an index on the store and the code, not a scan of the store's orders.
CREATE INDEX `idx_orders_store_pickup_code` ON `orders` (`store_id`, `pickup_code`);
