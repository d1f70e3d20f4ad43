-- The city's collector: the halls it hears from, every event each hall sent (stored once,
-- in each hall's order), and the city office's accounts. The statistics tables come next
-- (the hall's own migration 005, with a `hall` column telling halls apart).
-- Times are milliseconds since 1970-01-01 UTC.

CREATE TABLE halls (
    id            INTEGER PRIMARY KEY,
    -- The public id a hall signs its batches with, e.g. hall-3f2a9c0d1b7e.
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- The secret is derived from the collector's master key, the code and this version;
    -- only its hash is kept, to recognise it (never to check a signature).
    key_version   INTEGER NOT NULL DEFAULT 1,
    secret_hash   TEXT NOT NULL,
    -- Every event up to here is stored.
    acked_seq     INTEGER NOT NULL DEFAULT 0,
    -- What the hall last said about itself: name, time zone, scale, fields and targets.
    profile       TEXT,
    registered_at INTEGER NOT NULL,
    last_report_at INTEGER
);

CREATE TABLE events (
    hall        INTEGER NOT NULL REFERENCES halls (id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    ticket_id   INTEGER,
    service     TEXT,
    counter_no  INTEGER,
    user_id     INTEGER,
    data        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (hall, seq)
) WITHOUT ROWID;

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'clerk')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
