-- A result pick-up ticket (nhận kết quả), taken at the kiosk with a dossier's receipt: its
-- printout, the phone page and the console say so. (The figures have their own mark, in
-- stat_visits.)
ALTER TABLE tickets ADD COLUMN result_pickup INTEGER NOT NULL DEFAULT 0;
