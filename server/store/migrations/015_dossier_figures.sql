-- Satisfaction as the city counts it (Decision 766): the dossiers a ticket carries, a
-- rating's reasons and the visits the citizen needed, complaints, and result pick-up
-- tickets, folded from the log in the same transaction as every event (the hall's own
-- database, and the city's collector for every hall: `hall` tells them apart there).

-- A rating's reasons (a comma list of codes: wait, attitude, guidance, repeat, other) and
-- how many times the citizen had to come (1, 2, 3 = three or more).
ALTER TABLE stat_visits ADD COLUMN reasons TEXT;
ALTER TABLE stat_visits ADD COLUMN visits_needed INTEGER;
-- Complaints about the ticket: on its served visit, or its last visit if never served.
ALTER TABLE stat_visits ADD COLUMN complaints INTEGER NOT NULL DEFAULT 0;
-- A result pick-up ticket (nhận kết quả), taken at the kiosk for a dossier.
ALTER TABLE stat_visits ADD COLUMN result_pickup INTEGER NOT NULL DEFAULT 0;

-- The dossiers' codes on a ticket, by the ticket's issue day (a range of days is one read).
CREATE TABLE stat_dossiers (
    hall        INTEGER NOT NULL DEFAULT 0,
    day         TEXT NOT NULL,
    ticket_id   INTEGER NOT NULL,
    dossier     TEXT NOT NULL,
    attached_at INTEGER NOT NULL,
    PRIMARY KEY (hall, day, ticket_id, dossier)
) WITHOUT ROWID;
-- Where a dossier went before: its result pick-up ticket goes to the same field.
CREATE INDEX stat_dossiers_by_code ON stat_dossiers (hall, dossier, attached_at);
