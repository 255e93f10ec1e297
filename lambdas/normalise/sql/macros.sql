-- Row-level parsing and validation helpers of the normalise Lambda. Every input column is read
-- as VARCHAR; these macros turn text into typed values (NULL when the text is not valid) so that
-- one generated SELECT (lambdas/normalise/sqlgen.ts) validates a whole file in one scan.
-- Macros are inlined by DuckDB: they cost nothing over writing the expressions out.

-- Blank after trimming means "no value": vendors write '', ' ' and "" for the same thing.
-- trim() copies every string, so it only runs on values that start or end with a space.
CREATE OR REPLACE MACRO nx_text(v) AS
  CASE WHEN prefix(v, ' ') OR suffix(v, ' ') THEN nullif(trim(v), '') ELSE nullif(v, '') END;

-- A value quoted for a reason message, cut so one garbage field cannot flood the quarantine.
CREATE OR REPLACE MACRO nx_q(v) AS '''' || CASE WHEN length(v) > 60 THEN left(v, 57) || '...' ELSE v END || '''';

-- Decimal text is parsed as an exact decimal rounded to 6 places, then stored as DOUBLE, so
-- '100.1234565' becomes 100.123457 and never 100.12345649999.
CREATE OR REPLACE MACRO nx_dec(v) AS CAST(TRY_CAST(v AS DECIMAL(18, 6)) AS DOUBLE);

-- Whole numbers: '100', '+7' and '100.0' are fine; '100.5', '100.0000001', '1e2', 'abc' and
-- '0x10' are not. Judged on the text, so no rounding can make a fraction whole.
CREATE OR REPLACE MACRO nx_int(v) AS
  CASE WHEN regexp_full_match(v, '[+-]?[0-9]{1,18}(\.0*)?') THEN CAST(TRY_CAST(split_part(v, '.', 1) AS DECIMAL(18, 0)) AS BIGINT) END;

-- ISO-8601 date and time without a zone.
CREATE OR REPLACE MACRO nx_iso_local(v) AS
  regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?');

-- Whether a timestamp text ends with a zone: Z, or an offset +hh, +hhmm, +hh:mm. Character
-- tests, not a regular expression: this runs on every timestamp of every file.
CREATE OR REPLACE MACRO nx_has_zone(v) AS
  suffix(v, 'Z') OR suffix(v, 'z')
  OR (length(v) >= 19 AND (v[-3] IN ('+', '-') OR v[-5] IN ('+', '-') OR v[-6] IN ('+', '-')) AND contains(v, ':'));

-- An offset lies within ±14:00 (DuckDB itself accepts +25:00) and its minutes below 60.
CREATE OR REPLACE MACRO nx_off_ok(h, m) AS TRY_CAST(h AS INTEGER) * 60 + TRY_CAST(m AS INTEGER) <= 840 AND TRY_CAST(m AS INTEGER) < 60;
CREATE OR REPLACE MACRO nx_offset_ok(v) AS
  CASE WHEN suffix(v, 'Z') OR suffix(v, 'z') THEN true
       WHEN v[-6] IN ('+', '-') THEN nx_off_ok(v[-5:-4], v[-2:])
       WHEN v[-5] IN ('+', '-') THEN nx_off_ok(v[-4:-3], v[-2:])
       WHEN v[-3] IN ('+', '-') THEN nx_off_ok(v[-2:], '00')
       ELSE true END;

-- A timestamp that carries its zone, as an instant (TIMESTAMPTZ, session zone UTC).
CREATE OR REPLACE MACRO nx_ts(v) AS CASE WHEN nx_has_zone(v) AND nx_offset_ok(v) THEN TRY_CAST(v AS TIMESTAMPTZ) END;

-- Wall-clock time t in zone tz read as instant i (DuckDB's choice) has another reading when t is
-- ambiguous (the hour repeated when clocks go back) or does not exist (the hour skipped when
-- they go forward): that other instant, or NULL when t has exactly one. DST shifts of one hour.
CREATE OR REPLACE MACRO nx_local_other(t, i, tz) AS
  CASE WHEN timezone(tz, i) <> t THEN i - (timezone(tz, i) - t)
       WHEN timezone(tz, i + INTERVAL 1 HOUR) = t THEN i + INTERVAL 1 HOUR
       WHEN timezone(tz, i - INTERVAL 1 HOUR) = t THEN i - INTERVAL 1 HOUR END;
-- The instant of wall-clock time t in tz: with two readings, the profile's dstResolution picks
-- ('earlier' or 'later'); without one ('reject') the value is NULL and the row is rejected.
CREATE OR REPLACE MACRO nx_pick(i, o, mode) AS
  CASE WHEN o IS NULL THEN i WHEN mode = 'earlier' THEN least(i, o) WHEN mode = 'later' THEN greatest(i, o) END;
CREATE OR REPLACE MACRO nx_local(t, tz, mode) AS nx_pick(timezone(tz, t), nx_local_other(t, timezone(tz, t), tz), mode);
CREATE OR REPLACE MACRO nx_dst_words(t, tz) AS
  CASE WHEN timezone(tz, timezone(tz, t)) <> t THEN 'does not exist' ELSE 'is ambiguous' END;

-- The same, and a zone-less ISO time read as wall-clock time in zone tz (a vendor profile's).
CREATE OR REPLACE MACRO nx_ts_in(v, tz, mode) AS
  CASE WHEN nx_has_zone(v) THEN nx_ts(v) WHEN nx_iso_local(v) THEN nx_local(TRY_CAST(v AS TIMESTAMP), tz, mode) END;

-- Why a timestamp text was not accepted (ISO forms only; profile formats have their own message).
CREATE OR REPLACE MACRO nx_ts_reason(col, v) AS
  CASE
    WHEN nx_has_zone(v) AND NOT coalesce(nx_offset_ok(v), false) THEN col || ' ' || nx_q(v) || ' has an offset beyond ±14:00 (or minutes of 60 or more)'
    WHEN nx_iso_local(v) THEN col || ' ' || nx_q(v) || ' has no time zone: write it with Z or an offset such as -04:00, or name the zone (timeZone) in the vendor profile'
    ELSE col || ' ' || nx_q(v) || ' is not an ISO-8601 timestamp such as 2026-07-01T13:30:00.123456Z'
  END;

CREATE OR REPLACE MACRO nx_date(v) AS CASE WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(v AS DATE) END;

-- The trade date is the calendar date in New York of the row's event time. New York is UTC-4 or
-- UTC-5, so from 05:00 UTC on it is the UTC date and before 04:00 UTC the day before; only the
-- hour in between (and times before 1970) needs the time-zone database, which costs ~50x more.
CREATE OR REPLACE MACRO nx_utc_day(ts) AS DATE '1970-01-01' + CAST(epoch_us(ts) // 86400000000 AS INTEGER);
CREATE OR REPLACE MACRO nx_trade_date(ts) AS
  CASE
    WHEN epoch_us(ts) < 0 THEN CAST(timezone('America/New_York', ts) AS DATE)
    WHEN epoch_us(ts) % 86400000000 >= 18000000000 THEN nx_utc_day(ts)
    WHEN epoch_us(ts) % 86400000000 < 14400000000 THEN nx_utc_day(ts) - 1
    ELSE CAST(timezone('America/New_York', ts) AS DATE)
  END;

-- quotes.crossed: kept, but the NBBO is unusable.
CREATE OR REPLACE MACRO nx_crossed(bid, ask) AS bid > ask;
