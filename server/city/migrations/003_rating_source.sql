-- Where each rating was given, as the halls' own migration 011 adds it: 'phone' (the
-- citizen's own) or 'counter' (the counter's tablet); a phone rating replaces the tablet's.
-- The figures already folded learn it from the events each hall sent.
ALTER TABLE stat_visits ADD COLUMN rating_source TEXT;
-- 1 when the citizen's phone rating replaced the tablet's.
ALTER TABLE stat_visits ADD COLUMN rating_replaced INTEGER NOT NULL DEFAULT 0;

-- One pass over the ratings (the events have no index by ticket here).
UPDATE stat_visits SET rating_source = rated.channel
FROM (SELECT hall, ticket_id, json_extract(data, '$.channel') AS channel, MAX(seq)
      FROM events WHERE kind = 'rated' GROUP BY hall, ticket_id) AS rated
WHERE rated.hall = stat_visits.hall AND rated.ticket_id = stat_visits.ticket_id
  AND stat_visits.rating IS NOT NULL;
