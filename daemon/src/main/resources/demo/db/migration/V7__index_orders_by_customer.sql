-- Built without blocking writes. Flyway runs a statement like this outside a
-- transaction by itself (it must: CREATE INDEX CONCURRENTLY refuses to run in one).
CREATE INDEX CONCURRENTLY orders_customer_id_placed_at_idx ON orders (customer_id, placed_at DESC);
