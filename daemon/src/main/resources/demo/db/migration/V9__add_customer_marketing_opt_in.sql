-- A new column with a constant default: no table rewrite since PostgreSQL 11.
ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;
