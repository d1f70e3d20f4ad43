-- The first schema of a hall. Times are milliseconds since 1970-01-01 UTC; days are the
-- hall's local calendar day as YYYY-MM-DD.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'clerk')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Kiosks, displays and printers. Only a hash of the token is kept.
CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('kiosk', 'display', 'printer')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The last number given out per field per local day: numbers never repeat within a day.
CREATE TABLE day_numbers (
    local_day   TEXT NOT NULL,
    service     TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (local_day, service)
) WITHOUT ROWID;

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    token           TEXT NOT NULL UNIQUE,
    local_day       TEXT NOT NULL,
    first_service   TEXT NOT NULL,
    service         TEXT NOT NULL,
    number          INTEGER NOT NULL,
    code            TEXT NOT NULL,
    priority        TEXT NOT NULL,
    status          TEXT NOT NULL,
    counter_no      INTEGER,
    issued_by       TEXT NOT NULL,
    issued_at       INTEGER NOT NULL,
    queued_at       INTEGER NOT NULL,
    first_called_at INTEGER,
    called_at       INTEGER,
    started_at      INTEGER,
    finished_at     INTEGER,
    recalls         INTEGER NOT NULL DEFAULT 0,
    eta_minutes     INTEGER NOT NULL,
    rating          INTEGER,
    UNIQUE (local_day, first_service, number),
    UNIQUE (local_day, code)
);
CREATE INDEX tickets_by_status ON tickets (status, service, queued_at);
CREATE INDEX tickets_at_counter ON tickets (counter_no, status);

CREATE TABLE counters (
    no              INTEGER PRIMARY KEY,
    state           TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'paused')),
    pause_reason    TEXT,
    user_id         INTEGER REFERENCES users (id),
    priority_streak INTEGER NOT NULL DEFAULT 0,
    changed_at      INTEGER
);

-- Every change, in order. Statistics and the city report read this log, so it is only
-- ever appended to.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    ticket_id  INTEGER REFERENCES tickets (id),
    service    TEXT,
    counter_no INTEGER,
    user_id    INTEGER,
    data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_ticket ON events (ticket_id);

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
