-- The durable print queue: a receipt is queued in the transaction that completes its sale, so a printer
-- that is off, out of paper or open never blocks a sale nor loses its receipt. The document is fixed
-- when queued (a reprint later shows what the customer was given).
CREATE TABLE print_jobs (
    id           INTEGER PRIMARY KEY,
    printer      TEXT NOT NULL,
    terminal_id  TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('receipt', 'receipt_copy', 'credit_note', 'x_report', 'z_report', 'drawer')),
    reference    TEXT,                 -- the receipt or credit note number, or the shift id
    document     BLOB NOT NULL,        -- the Document as JSON
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'printed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    printed_at   TEXT,
    requested_by TEXT
);
CREATE INDEX print_jobs_waiting ON print_jobs (printer, status, id);
CREATE INDEX print_jobs_by_terminal ON print_jobs (terminal_id, id);
