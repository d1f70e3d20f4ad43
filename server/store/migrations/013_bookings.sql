-- Bookings: a place in a field's time window, taken ahead on the hall's booking page or by
-- an outside issuer (the city's app), then checked in for a number of the booked series.
-- Times are milliseconds since 1970-01-01 UTC; days the hall's local days; windows their
-- local start, HH:MM. No personal data: the person is a keyed hash (of a phone or ID card
-- number), cleared a set number of days after the booked day.
CREATE TABLE bookings (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    service      TEXT NOT NULL,
    local_day    TEXT NOT NULL,
    window_start TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    appointment  INTEGER NOT NULL,
    person_hash  TEXT,
    -- 'page', or 'issuer:<name>' with the issuer's own id of the booking.
    source       TEXT NOT NULL,
    issuer_ref   TEXT,
    status       TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled', 'no_show', 'late')),
    created_at   INTEGER NOT NULL,
    -- When it left 'booked' (cancelled, checked in, late, no-show).
    ended_at     INTEGER,
    ticket_id    INTEGER REFERENCES tickets (id),
    UNIQUE (source, issuer_ref)
);
-- The places of a window: one step to the window, then its few bookings.
CREATE INDEX bookings_by_window ON bookings (service, local_day, window_start);
-- One person's bookings of a day (the per-person limit, a check-in by ID card).
CREATE INDEX bookings_by_person ON bookings (person_hash, local_day) WHERE person_hash IS NOT NULL;
-- Bookings still awaited, by appointment: the no-show sweep (one index step when none is
-- due) and the estimates' arrivals still to come.
CREATE INDEX bookings_awaited ON bookings (appointment) WHERE status = 'booked';

-- The key of the persons' hashes: random, made once with the database, never shown.
CREATE TABLE booking_key (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    key BLOB NOT NULL
);
INSERT INTO booking_key (one, key) VALUES (1, randomblob(32));

-- A checked-in booking's ticket keeps its appointment: a number of the booked series,
-- called by that time (its queue time starts as the appointment, but a return moves it).
ALTER TABLE tickets ADD COLUMN booked_for INTEGER;
