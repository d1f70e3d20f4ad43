-- The collector's store on PostgreSQL: the halls, every event each hall sent (stored once,
-- in monthly partitions), each ticket's visits, the counters' spans, the bookings, the
-- figures kept as rows while events arrive (the next migration step adds them: their
-- columns are the code's), and the city office's accounts.
-- Times are milliseconds since 1970-01-01 UTC; days are the halls' local days.

CREATE TABLE halls (
    id             bigserial PRIMARY KEY,
    -- The public id a hall signs its batches with, e.g. hall-3f2a9c0d1b7e.
    code           text NOT NULL UNIQUE,
    name           text NOT NULL,
    -- The secret is derived from the collector's master key, the code and this version;
    -- only its hash is kept.
    key_version    integer NOT NULL DEFAULT 1,
    secret_hash    text NOT NULL,
    -- Every event up to here is stored (a batch takes this row's lock: one at a time per
    -- hall, whichever collector process it reached).
    acked_seq      bigint NOT NULL DEFAULT 0,
    -- What the hall last said about itself: name, time zone, scale, fields and targets.
    profile        jsonb,
    registered_at  bigint NOT NULL,
    last_report_at bigint,
    -- The province (or city) the hall belongs to, for the country's page.
    province       text NOT NULL DEFAULT '',
    -- A hall merged into another: its history is read as the other's.
    merged_into    bigint REFERENCES halls (id),
    -- The codes it had before (a re-coded hall's old batches name them).
    former_codes   text[] NOT NULL DEFAULT '{}'
);

-- Each hall's log, as it sent it. Partitioned by month of the event's time (UTC): old
-- months are dropped whole by the retention setting; the figures stay.
CREATE TABLE events (
    hall        bigint NOT NULL,
    seq         bigint NOT NULL,
    at          bigint NOT NULL,
    kind        text NOT NULL,
    ticket_id   bigint,
    service     text,
    counter_no  integer,
    user_id     bigint,
    data        jsonb NOT NULL,
    received_at bigint NOT NULL,
    PRIMARY KEY (hall, seq, at)
) PARTITION BY RANGE (at);

CREATE FUNCTION motcua_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END $$;

CREATE TRIGGER events_are_never_changed BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION motcua_append_only();

-- Each ticket's visits, in order, with the dossiers it carries, as the hall's figures read
-- them (motcua_domain::stats::fold::TicketVisits), and the target waits of its fields it was
-- counted with (field -> minutes): its part in the figure rows is counted again with them
-- to be taken back exactly when the ticket moves on.
CREATE TABLE tickets (
    hall      bigint NOT NULL,
    ticket_id bigint NOT NULL,
    day       date NOT NULL,
    visits    jsonb NOT NULL,
    targets   jsonb NOT NULL,
    PRIMARY KEY (hall, ticket_id)
);
CREATE INDEX tickets_by_day ON tickets (hall, day);

CREATE TABLE counter_spans (
    id            bigserial PRIMARY KEY,
    hall          bigint NOT NULL,
    counter_no    integer NOT NULL,
    user_id       bigint,
    -- NULL for the counter open, the reason for a pause within it.
    pause         text,
    day           date NOT NULL,
    began_at      bigint NOT NULL,
    last_activity bigint NOT NULL,
    ended_at      bigint
);
CREATE INDEX counter_spans_by_day ON counter_spans (hall, day);
CREATE INDEX counter_spans_running ON counter_spans (hall) WHERE ended_at IS NULL;

CREATE TABLE bookings (
    hall         bigint NOT NULL,
    booking      bigint NOT NULL,
    day          date NOT NULL,
    service      text NOT NULL,
    window_start text NOT NULL,
    source       text NOT NULL,
    booked_at    bigint NOT NULL,
    outcome      text NOT NULL,
    offset_ms    bigint,
    late_walk_in boolean,
    PRIMARY KEY (hall, booking)
);
CREATE INDEX bookings_by_day ON bookings (hall, day);

-- Bucket counts added element by element (the longer array's length). In place, in
-- PL/pgSQL: the side-by-side read adds a hundred thousand arrays at a time.
CREATE FUNCTION motcua_add_buckets(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i integer;
BEGIN
    IF a IS NULL THEN
        RETURN coalesce(b, '{}');
    END IF;
    FOR i IN 1 .. coalesce(cardinality(b), 0) LOOP
        a[i] := coalesce(a[i], 0) + b[i];
    END LOOP;
    RETURN a;
END $$;

CREATE AGGREGATE motcua_sum_buckets(bigint[]) (
    SFUNC = motcua_add_buckets, STYPE = bigint[], INITCOND = '{}'
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'manager', 'clerk')),
    password_hash text NOT NULL,
    created_at    bigint NOT NULL,
    disabled_at   bigint
);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
