-- Trino (Athena engine v3) names that DuckDB lacks or spells differently, as DuckDB macros.
-- Loaded by lib/engine once per connection, before any project SQL; nothing else rewrites the
-- SQL. Only functions whose Trino semantics a macro reproduces exactly belong here (say where it
-- is only close). One macro per statement, each self-contained: append new ones at the end of
-- the section they belong to (or a new section), never edit another engineer's macro in place.

-- ── Dates and times ────────────────────────────────────────────────────────────────────────────
-- Trino date_diff counts whole units between a and b, truncated toward zero (DuckDB's built-in
-- date_diff counts unit boundaries crossed instead: 00:00:00.9 → 00:00:01.1 is 1 there, 0 here).
-- DuckDB's datesub has Trino's meaning for every unit.
CREATE OR REPLACE MACRO date_diff(unit, a, b) AS datesub(unit, a, b);
-- Trino date_add(unit, n, ts); DuckDB's built-in takes (ts, interval).
CREATE OR REPLACE MACRO date_add(unit, n, ts) AS ts + CASE lower(unit)
    WHEN 'millisecond' THEN to_milliseconds(n)
    WHEN 'second' THEN to_seconds(n)
    WHEN 'minute' THEN to_minutes(n)
    WHEN 'hour' THEN to_hours(n)
    WHEN 'day' THEN to_days(CAST(n AS INTEGER))
    WHEN 'week' THEN to_weeks(CAST(n AS INTEGER))
    WHEN 'month' THEN to_months(CAST(n AS INTEGER))
    WHEN 'quarter' THEN to_months(CAST(3 * n AS INTEGER))
    WHEN 'year' THEN to_years(CAST(n AS INTEGER))
  END;
-- Seconds since the epoch as DOUBLE (microseconds kept).
CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch_us(ts) / 1e6;
CREATE OR REPLACE MACRO from_unixtime(s) AS make_timestamptz(CAST(round(s * 1e6) AS BIGINT));
CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ);
CREATE OR REPLACE MACRO from_iso8601_date(s) AS CAST(s AS DATE);
CREATE OR REPLACE MACRO day_of_week(d) AS isodow(d);
CREATE OR REPLACE MACRO last_day_of_month(d) AS last_day(d);

-- ── Strings ────────────────────────────────────────────────────────────────────────────────────
CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p);

-- ── Arrays and maps ─────────────────────────────────────────────────────────────────────────────
-- Trino element_at(array, i) (1-based, negative from the end, NULL out of range) and
-- element_at(map, key) (NULL when absent): DuckDB's subscript means the same for both.
CREATE OR REPLACE MACRO element_at(c, k) AS c[k];

-- ── Numbers ────────────────────────────────────────────────────────────────────────────────────
CREATE OR REPLACE MACRO is_nan(x) AS isnan(x);
CREATE OR REPLACE MACRO truncate(x) AS trunc(x);

-- ── Aggregates ─────────────────────────────────────────────────────────────────────────────────
-- Close, not exact: Athena's approx_percentile is a sketch (rank error about 1 %), this is the
-- exact interpolated quantile. Metrics that must agree exactly compute ranks with windows instead.
CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_cont(x, p);
CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x);
CREATE OR REPLACE MACRO every(x) AS bool_and(x);
