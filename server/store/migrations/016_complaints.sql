-- Complaints (phản ánh) a citizen makes about a ticket from their phone, the hall's own
-- record (the city gets the events, not this table, and a text only when comments are
-- shared). The clock: acknowledged within 8 working hours of `made_at` (`due_at`).
CREATE TABLE complaints (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    service         TEXT NOT NULL,
    topic           TEXT NOT NULL,
    text            TEXT,
    made_at         INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER,
    resolved_at     INTEGER,
    resolved_by     INTEGER,
    note            TEXT
);
CREATE INDEX complaints_by_ticket ON complaints (ticket_id);
CREATE INDEX complaints_open ON complaints (made_at) WHERE resolved_at IS NULL;
