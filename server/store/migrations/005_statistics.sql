-- Statistics: the event log folded into one row per visit and one row per counter span,
-- kept in the same transaction as every event (and filled from the log for a database
-- that predates them), so a year's figures read compact rows instead of replaying the log.
-- Times are milliseconds since 1970-01-01 UTC; days are the hall's local days. The city's
-- collector keeps the same tables for every hall it hears from; `hall` tells them apart
-- there and is always 0 in a hall's own database.

-- A visit is one stay of a ticket in one field's queue: from its issue, transfer or
-- return until it leaves that queue (served, absent, cancelled, transferred, returned).
CREATE TABLE stat_visits (
    hall        INTEGER NOT NULL DEFAULT 0,
    ticket_id   INTEGER NOT NULL,
    visit       INTEGER NOT NULL,
    -- The local day the ticket was issued: a ticket's figures stay with that day.
    day         TEXT NOT NULL,
    service     TEXT NOT NULL,
    began_by    TEXT NOT NULL CHECK (began_by IN ('issued', 'transferred', 'returned')),
    issued_at   INTEGER NOT NULL,
    queued_at   INTEGER NOT NULL,
    -- The local hour (0-23) the visit began.
    hour        INTEGER NOT NULL,
    priority    INTEGER NOT NULL,
    first_call  INTEGER,
    last_call   INTEGER,
    counter_no  INTEGER,
    user_id     INTEGER,
    recalls     INTEGER NOT NULL DEFAULT 0,
    started_at  INTEGER,
    ended_at    INTEGER,
    outcome     TEXT CHECK (outcome IN ('served', 'absent', 'cancelled', 'transferred', 'returned')),
    end_reason  TEXT,
    -- The estimate quoted when the ticket was issued (first visits only).
    quoted_minutes INTEGER,
    rating      INTEGER,
    rating_scale INTEGER,
    comment     TEXT,
    rated_at    INTEGER,
    -- Kept in day order: a range of days is one sequential read.
    PRIMARY KEY (hall, day, ticket_id, visit)
) WITHOUT ROWID;
CREATE UNIQUE INDEX stat_visits_by_ticket ON stat_visits (hall, ticket_id, visit);

-- A counter open (kind 'open') or paused within an open span (kind 'paused').
CREATE TABLE stat_counter_spans (
    id            INTEGER PRIMARY KEY,
    hall          INTEGER NOT NULL DEFAULT 0,
    counter_no    INTEGER NOT NULL,
    user_id       INTEGER,
    kind          TEXT NOT NULL CHECK (kind IN ('open', 'paused')),
    reason        TEXT,
    day           TEXT NOT NULL,
    began_at      INTEGER NOT NULL,
    -- The counter's last call or finish in this span: where a span nobody closed ends.
    last_activity INTEGER NOT NULL,
    ended_at      INTEGER
);
CREATE INDEX stat_counter_spans_by_day ON stat_counter_spans (hall, day);
CREATE INDEX stat_counter_spans_running ON stat_counter_spans (hall, counter_no) WHERE ended_at IS NULL;

-- How far the log was folded when these tables were first filled; NULL until the server
-- has folded the events written before them. Later events are folded as they are written.
CREATE TABLE stat_state (folded_through INTEGER);
INSERT INTO stat_state (folded_through) VALUES (NULL);
