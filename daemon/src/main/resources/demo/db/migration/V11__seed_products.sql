INSERT INTO products (sku, name, price) VALUES
    ('BK-0001', 'PostgreSQL Internals',        49.00),
    ('BK-0002', 'Designing Data Systems',      45.50),
    ('BK-0003', 'Zero-Downtime Migrations',    29.99),
    ('MG-0001', 'Mug: "It works on staging"',  12.00);

INSERT INTO inventory (product_id, on_hand)
SELECT id, 100 FROM products;
