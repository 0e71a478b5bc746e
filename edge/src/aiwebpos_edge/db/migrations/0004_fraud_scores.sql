-- Local fraud scoring (issue 6): a sale, return or closed shift is scored after its transaction
-- commits, off the writer thread, so the cashier never waits for the model.

-- An event waiting for its fraud score is held back from the cloud until this moment at most; the
-- scorer writes the score into the envelope and clears the hold. Past it, the event leaves unscored.
ALTER TABLE outbox ADD COLUMN held_until REAL;  -- unix time (a timeout, not business time)

-- Every completed sale and return and every closed shift, with its score once the model gave one.
-- The transaction's data is its event in the outbox (`seq`): what the store scores is exactly what
-- the cloud receives, and a shift is scored from the events of its own transactions.
CREATE TABLE fraud_scores (
    kind          TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'shift')),
    ref           TEXT NOT NULL,        -- receipt number, credit note number or shift id
    seq           INTEGER NOT NULL UNIQUE REFERENCES outbox(seq),
    shift_id      TEXT,                 -- NULL: a return refunded by card with no shift open
    terminal_id   TEXT,
    cashier       TEXT NOT NULL,
    occurred_at   TEXT NOT NULL,
    total_cents   INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'scored', 'unscored')),
    score         REAL,
    reasons       TEXT,                 -- JSON list of what a manager reads ("4 of 6 lines voided", …)
    model_version TEXT,
    scored_at     TEXT,
    PRIMARY KEY (kind, ref)
);
CREATE INDEX fraud_scores_pending ON fraud_scores(seq) WHERE status = 'pending';
CREATE INDEX fraud_scores_shift ON fraud_scores(shift_id);
CREATE INDEX fraud_scores_recent ON fraud_scores(occurred_at);
