CREATE TABLE inventory (
    product_id   bigint      PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    on_hand      integer     NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved     integer     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inventory_reserved_le_on_hand CHECK (reserved <= on_hand)
);
