-- The bookings' figures: the log's booking events folded into one row per booking, in the
-- same transaction as every event (the hall's own database, and the city's collector for
-- every hall: `hall` tells them apart there, 0 in a hall). A row counts by the booked day,
-- window and field; its outcome moves on as the events come (booked, then cancelled,
-- checked in, late or no-show; a no-show who comes later still becomes late).
CREATE TABLE stat_bookings (
    hall         INTEGER NOT NULL DEFAULT 0,
    booking      INTEGER NOT NULL,
    day          TEXT NOT NULL,
    service      TEXT NOT NULL,
    window_start TEXT NOT NULL,
    source       TEXT NOT NULL,
    booked_at    INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('booked', 'cancelled', 'checked_in', 'late', 'no_show')),
    -- Check-in (or the late arrival) − appointment, in ms: negative when early.
    offset_ms    INTEGER,
    -- A late arrival given a walk-in number (1) or refused (0).
    late_walk_in INTEGER,
    PRIMARY KEY (hall, day, booking)
) WITHOUT ROWID;
CREATE UNIQUE INDEX stat_bookings_by_booking ON stat_bookings (hall, booking);
-- The visits of booked tickets are told apart from walk-ins'.
ALTER TABLE stat_visits ADD COLUMN booked INTEGER NOT NULL DEFAULT 0;
