-- The uplink to the city: how far the city has acknowledged this hall's event log. The log
-- itself is the outbox: everything after acked_seq is still to send, kept across restarts
-- because the log is never deleted.
CREATE TABLE uplink_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    acked_seq       INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER,
    last_success_at INTEGER,
    last_error      TEXT
);
INSERT INTO uplink_state (id) VALUES (1);
