-- The manager's messages and the clerks' emergencies, read back for every phone's and
-- console's snapshot: one index step each, not a walk through the day's log.
CREATE INDEX events_notices ON events(seq)
    WHERE kind IN ('message_posted', 'message_withdrawn', 'emergency_raised', 'emergency_handled');
