CREATE OR REPLACE VIEW order_summary AS
SELECT o.id                               AS order_id,
       c.email                            AS customer_email,
       o.status,
       o.placed_at,
       coalesce(sum(i.quantity * i.unit_price), 0) AS total
FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY o.id, c.email, o.status, o.placed_at;
