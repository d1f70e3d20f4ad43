-- The national tier: a province's collector forwards its halls' days to the country's
-- collector, which keeps only daily figures.

-- At a province's collector: each hall-day whose figures changed, in order, to forward
-- (the outbox), and how far the country has acknowledged it.
CREATE TABLE upstream_outbox (
    seq  bigserial PRIMARY KEY,
    hall bigint NOT NULL,
    day  date NOT NULL
);

CREATE TABLE upstream_state (
    acked_seq       bigint NOT NULL,
    last_success_at bigint,
    last_error      text
);
INSERT INTO upstream_state (acked_seq) VALUES (0);

-- At the country's collector: the province collectors that forward (each signs as a hall
-- does, with a secret derived from this collector's master key).
CREATE TABLE regions (
    id             bigserial PRIMARY KEY,
    code           text NOT NULL UNIQUE,
    name           text NOT NULL,
    key_version    integer NOT NULL DEFAULT 1,
    secret_hash    text NOT NULL,
    acked_seq      bigint NOT NULL DEFAULT 0,
    registered_at  bigint NOT NULL,
    last_report_at bigint
);

-- A hall known through a region's forwarding, not by its own batches (it cannot sign any
-- here).
ALTER TABLE halls ADD COLUMN region bigint REFERENCES regions (id);
