-- The manager's staffing plan of a day (the planner's proposal needs no row: it is made
-- again from the history before the day): per hour, the counters to open, each the fields
-- it serves, as JSON `[[["A"],["B","C"]], ...]`.
CREATE TABLE staffing_plans (
    day      TEXT PRIMARY KEY,
    counters TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    saved_by TEXT NOT NULL
);
