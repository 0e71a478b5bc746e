-- The store node's schema. Money is integer lisente (*_cents); quantities are integer milli-units
-- (*_milli: 1 each = 1000, 1 kg = 1000 g); times are ISO-8601 UTC text.

CREATE TABLE store (
    store_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    vat_number  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

-- Business settings (discount limits, cash rounding, weighed-barcode layout…): JSON values, pushed
-- later by HQ commands.
CREATE TABLE config (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Date-effective VAT rates: a new row takes effect on its date; receipts keep the rate they were issued at.
CREATE TABLE vat_rates (
    vat_class       TEXT NOT NULL CHECK (vat_class IN ('standard', 'reduced', 'zero', 'exempt')),
    rate_bp         INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp < 10000),
    effective_from  TEXT NOT NULL,
    PRIMARY KEY (vat_class, effective_from)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,
    pin_lookup     TEXT UNIQUE,          -- HMAC of the PIN under the node secret: finds and proves the user
    roles          TEXT NOT NULL,        -- JSON array
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    terminal_id   TEXT,
    client_ip     TEXT,
    method        TEXT NOT NULL,         -- password or pin
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT,
    end_reason    TEXT
);

-- Failed logins per key ("pin:T1", "user:thabo"): repeated failures lock the key for a while.
CREATE TABLE login_failures (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  TEXT,
    last_failure  TEXT NOT NULL
);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    sku          TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
    vat_class    TEXT NOT NULL CHECK (vat_class IN ('standard', 'reduced', 'zero', 'exempt')),
    unit         TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
    category     TEXT NOT NULL DEFAULT '',
    plu          TEXT UNIQUE,           -- item code inside in-store weighed barcodes (prefix 20–29)
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE barcodes (
    code        TEXT PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id)
) WITHOUT ROWID;
CREATE INDEX barcodes_product ON barcodes(product_id);

-- Name search without scanning 300,000 rows: FTS5 over names, kept in step by triggers.
CREATE VIRTUAL TABLE products_fts USING fts5(name, sku, category, content='products', content_rowid='id');
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name, sku, category) VALUES (new.id, new.name, new.sku, new.category);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, sku, category)
    VALUES ('delete', old.id, old.name, old.sku, old.category);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name, sku, category ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, sku, category)
    VALUES ('delete', old.id, old.name, old.sku, old.category);
    INSERT INTO products_fts(rowid, name, sku, category) VALUES (new.id, new.name, new.sku, new.category);
END;

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    vat_number          TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    credit_limit_cents  INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_cents >= 0),
    active              INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- The account's balance is the sum of its entries: charges raise it, payments and refunds lower it.
CREATE TABLE account_entries (
    id            INTEGER PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    kind          TEXT NOT NULL CHECK (kind IN ('charge', 'payment', 'refund')),
    amount_cents  INTEGER NOT NULL,     -- signed: + raises what the customer owes
    sale_id       TEXT,
    reference     TEXT,
    method        TEXT,
    shift_id      TEXT,                 -- a payment taken in cash at a till counts in that shift's drawer
    user_id       INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX account_entries_customer ON account_entries(customer_id);

CREATE TABLE shifts (
    id                   TEXT PRIMARY KEY,
    terminal_id          TEXT NOT NULL,
    user_id              INTEGER NOT NULL REFERENCES users(id),
    status               TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opening_float_cents  INTEGER NOT NULL CHECK (opening_float_cents >= 0),
    opened_at            TEXT NOT NULL,
    closed_at            TEXT,
    counted_cash_cents   INTEGER,
    z_report             TEXT
);
-- At most one open shift per terminal.
CREATE UNIQUE INDEX shifts_one_open_per_terminal ON shifts(terminal_id) WHERE status = 'open';

CREATE TABLE sales (
    id                   TEXT PRIMARY KEY,
    terminal_id          TEXT NOT NULL,
    shift_id             TEXT NOT NULL REFERENCES shifts(id),
    user_id              INTEGER NOT NULL REFERENCES users(id),
    status               TEXT NOT NULL CHECK (status IN ('open', 'suspended', 'completed', 'cancelled')),
    customer_id          TEXT REFERENCES customers(id),
    discount_percent     TEXT,            -- whole-sale discount, as given
    discount_amount_cents INTEGER,
    discount_approved_by INTEGER REFERENCES users(id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    completed_at         TEXT,
    receipt_no           TEXT UNIQUE,
    receipt              TEXT,            -- the receipt as issued (JSON): reprints never recompute it
    -- Totals fixed at completion (also inside `receipt`), kept as columns for reports:
    total_cents          INTEGER,         -- goods, VAT inclusive, after discounts
    vat_cents            INTEGER,
    discount_cents       INTEGER,         -- line and sale discounts together
    rounding_cents       INTEGER,         -- cash rounding posted after VAT
    paid_cents           INTEGER,
    change_cents         INTEGER,         -- given back in cash (LSL)
    cancel_reason        TEXT
);
CREATE INDEX sales_shift ON sales(shift_id);
CREATE INDEX sales_status ON sales(status, terminal_id);

CREATE TABLE sale_lines (
    id                 INTEGER PRIMARY KEY,
    sale_id            TEXT NOT NULL REFERENCES sales(id),
    product_id         INTEGER NOT NULL REFERENCES products(id),
    sku                TEXT NOT NULL,
    name               TEXT NOT NULL,
    unit               TEXT NOT NULL,
    vat_class          TEXT NOT NULL,
    barcode            TEXT,
    quantity_milli     INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_cents   INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    list_price_cents   INTEGER NOT NULL,
    amount_cents       INTEGER,          -- fixed amount from a price-embedded barcode, else NULL
    override_by        INTEGER REFERENCES users(id),
    override_reason    TEXT,
    discount_percent   TEXT,
    discount_amount_cents INTEGER,
    discount_approved_by INTEGER REFERENCES users(id),
    voided             INTEGER NOT NULL DEFAULT 0,
    void_reason        TEXT,
    voided_by          INTEGER REFERENCES users(id),
    voided_at          TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY,
    sale_id       TEXT NOT NULL REFERENCES sales(id),
    method        TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile_money', 'account')),
    amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
    currency      TEXT NOT NULL CHECK (currency IN ('LSL', 'ZAR')),
    reference     TEXT,
    customer_id   TEXT REFERENCES customers(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX payments_sale ON payments(sale_id);

-- Tax documents (receipts and credit notes) are numbered gap-free per terminal.
CREATE TABLE receipt_counters (
    terminal_id  TEXT PRIMARY KEY,
    last_no      INTEGER NOT NULL
);

CREATE TABLE returns (
    id                 TEXT PRIMARY KEY,
    sale_id            TEXT NOT NULL REFERENCES sales(id),
    terminal_id        TEXT NOT NULL,
    shift_id           TEXT REFERENCES shifts(id),
    user_id            INTEGER NOT NULL REFERENCES users(id),
    approved_by        INTEGER REFERENCES users(id),
    refund_method      TEXT NOT NULL CHECK (refund_method IN ('cash', 'card', 'mobile_money', 'account')),
    refund_cents       INTEGER NOT NULL,
    reason             TEXT NOT NULL,
    receipt_no         TEXT NOT NULL UNIQUE,
    receipt            TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX returns_sale ON returns(sale_id);
CREATE INDEX returns_shift ON returns(shift_id);

CREATE TABLE return_lines (
    return_id       TEXT NOT NULL REFERENCES returns(id),
    sale_line_id    INTEGER NOT NULL REFERENCES sale_lines(id),
    quantity_milli  INTEGER NOT NULL CHECK (quantity_milli > 0),
    refund_cents    INTEGER NOT NULL,
    PRIMARY KEY (return_id, sale_line_id)
);
CREATE INDEX return_lines_sale_line ON return_lines(sale_line_id);

-- No-sales: the drawer opened without a sale.
CREATE TABLE drawer_openings (
    id           INTEGER PRIMARY KEY,
    terminal_id  TEXT NOT NULL,
    shift_id     TEXT REFERENCES shifts(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    reason       TEXT NOT NULL,
    opened_at    TEXT NOT NULL
);

-- On hand is always the sum of the movements.
CREATE TABLE stock_movements (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products(id),
    quantity_milli  INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'adjustment', 'receipt', 'count',
                                                  'transfer_in', 'transfer_out')),
    reference       TEXT,
    reason          TEXT,
    user_id         INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX stock_movements_product ON stock_movements(product_id);

-- Every business change writes its event here in the same transaction; `seq` is gap-free.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY,
    event_id      TEXT NOT NULL UNIQUE,
    type          TEXT NOT NULL,
    terminal_id   TEXT,
    occurred_at   TEXT NOT NULL,
    envelope      TEXT NOT NULL,         -- the envelope as it will be published
    published_at  TEXT
);
CREATE INDEX outbox_unpublished ON outbox(seq) WHERE published_at IS NULL;

-- Hash-chained audit log: each entry's hash covers its content and the previous entry's hash.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT,
    terminal_id TEXT,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
-- The chain's head, kept apart so that removing the newest entries is noticed too.
CREATE TABLE audit_head (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    last_id    INTEGER NOT NULL,
    last_hash  TEXT NOT NULL
);
