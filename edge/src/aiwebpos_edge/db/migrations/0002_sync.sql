-- Commands from the cloud, applied once each by command_id (redeliveries are recognised here).
CREATE TABLE applied_commands (
    command_id   TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    ok           INTEGER NOT NULL,
    detail       TEXT NOT NULL
);
