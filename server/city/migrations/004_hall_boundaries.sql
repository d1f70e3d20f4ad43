-- Halls outlive boundaries: communes are merged and renamed. A hall re-coded keeps its
-- history under its new code (the old ones listed); a hall merged into another is read as
-- the other. The province it belongs to, for the country's page.
ALTER TABLE halls ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE halls ADD COLUMN merged_into INTEGER REFERENCES halls (id);
ALTER TABLE halls ADD COLUMN former_codes TEXT NOT NULL DEFAULT '[]';
