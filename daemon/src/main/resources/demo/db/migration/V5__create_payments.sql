CREATE TABLE payments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint        NOT NULL REFERENCES orders (id),
    amount       numeric(12,2) NOT NULL CHECK (amount > 0),
    provider     text          NOT NULL,
    provider_ref text,
    captured_at  timestamptz,
    CONSTRAINT payments_provider_ref_key UNIQUE (provider, provider_ref)
);
