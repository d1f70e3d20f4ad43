-- Printing: a printer device belongs to a kiosk; each ticket issued at a kiosk gets a
-- print job, kept until the printer says it printed or failed.

ALTER TABLE devices ADD COLUMN kiosk_id INTEGER REFERENCES devices (id);

CREATE TABLE print_jobs (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    kiosk_id   INTEGER NOT NULL REFERENCES devices (id),
    status     TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'printed', 'failed')),
    -- What is printed (the ticket's text and status address), as the printer gets it.
    payload    TEXT NOT NULL,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX print_jobs_open ON print_jobs (kiosk_id, status);
