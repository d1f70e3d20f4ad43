-- Pressing Next reads only the head of each queue a counter serves: in each field, the
-- oldest priority ticket and the oldest normal ticket. Priority has several values
-- ('elderly', 'disabled', ...), so "a priority ticket" is an expression; indexed, each head
-- is one step down the index, however long the queue.
CREATE INDEX tickets_queue_heads ON tickets (status, service, priority <> 'none', queued_at, id);
