-- Row-level parsing and validation helpers of the normalise Lambda. Every input column is read
-- as VARCHAR; these macros turn text into typed values (NULL when the text is not valid) so that
-- one generated SELECT (lambdas/normalise/sqlgen.ts) validates a whole file in one scan.
-- Macros are inlined by DuckDB: they cost nothing over writing the expressions out.

-- Blank after trimming means "no value": vendors write '', ' ' and "" for the same thing.
CREATE OR REPLACE MACRO nx_text(v) AS nullif(trim(v, ' ' || chr(9) || chr(13)), '');

-- A value quoted for a reason message, cut so one garbage field cannot flood the quarantine.
CREATE OR REPLACE MACRO nx_q(v) AS '''' || CASE WHEN length(v) > 60 THEN left(v, 57) || '...' ELSE v END || '''';

-- Decimal text is parsed as an exact decimal rounded to 6 places, then stored as DOUBLE, so
-- '100.1234565' becomes 100.123457 and never 100.12345649999.
CREATE OR REPLACE MACRO nx_dec(v) AS CAST(TRY_CAST(v AS DECIMAL(18, 6)) AS DOUBLE);

-- Whole numbers: '100' and '100.0' are fine, '100.5', '1e400', 'abc' and '0x10' are not.
CREATE OR REPLACE MACRO nx_int_of(d) AS CASE WHEN d = trunc(d) THEN CAST(d AS BIGINT) END;
CREATE OR REPLACE MACRO nx_int(v) AS nx_int_of(TRY_CAST(v AS DECIMAL(18, 6)));

-- ISO-8601 date and time; the zone is Z or an offset (+hh, +hhmm, +hh:mm).
CREATE OR REPLACE MACRO nx_iso_zoned(v) AS
  regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)');
CREATE OR REPLACE MACRO nx_iso_local(v) AS
  regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?');

-- A timestamp that carries its zone, as an instant (TIMESTAMPTZ, session zone UTC).
CREATE OR REPLACE MACRO nx_ts(v) AS CASE WHEN nx_iso_zoned(v) THEN TRY_CAST(v AS TIMESTAMPTZ) END;

-- The same, and a zone-less ISO time read as wall-clock time in zone tz (a vendor profile's).
CREATE OR REPLACE MACRO nx_ts_in(v, tz) AS
  CASE WHEN nx_iso_zoned(v) THEN TRY_CAST(v AS TIMESTAMPTZ) WHEN nx_iso_local(v) THEN timezone(tz, TRY_CAST(v AS TIMESTAMP)) END;

-- Why a timestamp text was not accepted (ISO forms only; profile formats have their own message).
CREATE OR REPLACE MACRO nx_ts_reason(col, v) AS
  CASE
    WHEN nx_iso_local(v) THEN col || ' ' || nx_q(v) || ' has no time zone: write it with Z or an offset such as -04:00, or name the zone (timeZone) in the vendor profile'
    ELSE col || ' ' || nx_q(v) || ' is not an ISO-8601 timestamp such as 2026-07-01T13:30:00.123456Z'
  END;

CREATE OR REPLACE MACRO nx_date(v) AS CASE WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(v AS DATE) END;

-- The trade date is the calendar date in New York of the row's event time.
CREATE OR REPLACE MACRO nx_trade_date(ts) AS CAST(timezone('America/New_York', ts) AS DATE);

-- quotes.crossed: kept, but the NBBO is unusable.
CREATE OR REPLACE MACRO nx_crossed(bid, ask) AS bid > ask;
