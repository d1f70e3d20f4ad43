-- What a city's analyst reads with a BI tool: the schema `bi`, one view per question,
-- readable by the role `motcua_readers` (and nothing else of the collector's: no
-- secrets, no accounts, no raw events). A hall merged into another counts as the other.
-- Waits are in minutes; a median or 90th percentile is the upper edge of its bucket (at
-- most a minute wide under an hour, 5 minutes under two hours).

CREATE SCHEMA bi;

-- Each hall as the city knows it now.
CREATE VIEW bi.halls AS
SELECT h.code, h.name, h.province,
       m.code AS merged_into,
       h.former_codes,
       to_timestamp(h.registered_at / 1000.0) AS registered_at,
       to_timestamp(h.last_report_at / 1000.0) AS last_report_at
FROM halls h LEFT JOIN halls m ON m.id = h.merged_into;

-- Per hall and day: served, waits, within target, absent rate, satisfaction, Decision 766.
CREATE VIEW bi.hall_days AS
SELECT h.code AS hall_code, h.name AS hall_name, h.province, f.day,
       sum(f.issued)::bigint AS issued,
       sum(f.served)::bigint AS served,
       sum(f.absent)::bigint AS absent,
       sum(f.cancelled)::bigint AS cancelled,
       sum(f.waits)::bigint AS waits,
       round(sum(f.wait_ms) / nullif(sum(f.waits), 0) / 60000.0, 1) AS mean_wait_minutes,
       motcua_percentile(motcua_sum_buckets(f.wait_buckets), 0.5) AS median_wait_minutes,
       motcua_percentile(motcua_sum_buckets(f.wait_buckets), 0.9) AS p90_wait_minutes,
       sum(f.within_target)::bigint AS within_target,
       round(sum(f.within_target) / nullif(sum(f.served), 0)::numeric, 3) AS within_target_share,
       round(sum(f.absent) / nullif(sum(f.served) + sum(f.absent), 0)::numeric, 3) AS absent_rate,
       sum(f.rated)::bigint AS rated,
       round(sum(f.satisfied) / nullif(sum(f.rated), 0)::numeric, 3) AS satisfied_share,
       round(sum(f.service_ms) / nullif(sum(f.services), 0) / 60000.0, 1) AS mean_service_minutes,
       -- Decision 766: on the dossiers where the hall attaches codes, else its served visits.
       CASE WHEN sum(f.dossier_units) > 0
            THEN round((sum(f.dossier_units) - sum(f.dossier_against)) / sum(f.dossier_units)::numeric, 3)
            ELSE round((sum(f.visit_units) - sum(f.visit_against)) / nullif(sum(f.visit_units), 0)::numeric, 3)
       END AS decision_766_share,
       sum(f.complaints)::bigint AS complaints
FROM figures_hall_daily f
JOIN halls src ON src.id = f.hall
JOIN halls h ON h.id = coalesce(src.merged_into, src.id)
GROUP BY h.code, h.name, h.province, f.day;

-- Per hall, day and field.
CREATE VIEW bi.hall_field_days AS
SELECT h.code AS hall_code, h.name AS hall_name, h.province, f.day, f.service AS field,
       sum(f.issued)::bigint AS issued,
       sum(f.served)::bigint AS served,
       sum(f.absent)::bigint AS absent,
       round(sum(f.wait_ms) / nullif(sum(f.waits), 0) / 60000.0, 1) AS mean_wait_minutes,
       motcua_percentile(motcua_sum_buckets(f.wait_buckets), 0.5) AS median_wait_minutes,
       motcua_percentile(motcua_sum_buckets(f.wait_buckets), 0.9) AS p90_wait_minutes,
       round(sum(f.within_target) / nullif(sum(f.served), 0)::numeric, 3) AS within_target_share,
       round(sum(f.absent) / nullif(sum(f.served) + sum(f.absent), 0)::numeric, 3) AS absent_rate,
       sum(f.rated)::bigint AS rated,
       round(sum(f.satisfied) / nullif(sum(f.rated), 0)::numeric, 3) AS satisfied_share
FROM figures_daily f
JOIN halls src ON src.id = f.hall
JOIN halls h ON h.id = coalesce(src.merged_into, src.id)
WHERE f.service <> ''
GROUP BY h.code, h.name, h.province, f.day, f.service;

-- Per hall, day and hour: when the halls are busy.
CREATE VIEW bi.hall_hours AS
SELECT h.code AS hall_code, f.day, f.hour,
       sum(f.issued)::bigint AS issued,
       sum(f.served)::bigint AS served,
       round(sum(f.wait_ms) / nullif(sum(f.waits), 0) / 60000.0, 1) AS mean_wait_minutes
FROM figures_hourly f
JOIN halls src ON src.id = f.hall
JOIN halls h ON h.id = coalesce(src.merged_into, src.id)
GROUP BY h.code, f.day, f.hour;

-- The readers' role: made when the migrating user may make roles (else a DBA makes it:
-- CREATE ROLE motcua_readers NOLOGIN, then the grants below).
DO $$
BEGIN
    CREATE ROLE motcua_readers NOLOGIN;
EXCEPTION
    -- Made already, or being made by another database's migration at this moment (roles
    -- are the whole server's).
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create the role motcua_readers: ask a DBA to create it';
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motcua_readers') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA bi TO motcua_readers';
        EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA bi TO motcua_readers';
    END IF;
END $$;
