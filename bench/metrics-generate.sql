-- Seeded synthetic quarter for bench/metrics.ts, written straight to a lake directory in the
-- normalise Lambda's layout. Deterministic for a given seed whatever the thread count: every
-- "random" number is a hash of (row, purpose, seed), not random(). Sizes come from variables set
-- by the runner: seed, n_orders, n_quotes, n_symbols. {{LAKE}} is the output directory.
CREATE OR REPLACE TEMP MACRO rnd(i, salt) AS
  CAST(hash(CAST(i AS BIGINT) * 7919 + salt * 104729 + getvariable('seed')) % 1000000007 AS DOUBLE) / 1000000007.0;

CREATE OR REPLACE TEMP TABLE days AS
SELECT CAST(row_number() OVER (ORDER BY d) - 1 AS BIGINT) AS day_idx, d AS trade_date,
       CAST(d AS TIMESTAMP) + INTERVAL 13 HOUR + INTERVAL 30 MINUTE AS open_ts
FROM (SELECT CAST(range AS DATE) AS d FROM range(TIMESTAMP '2026-07-01', TIMESTAMP '2026-10-01', INTERVAL 1 DAY))
WHERE isodow(d) <= 5;
SET VARIABLE n_days = (SELECT count(*) FROM days);

CREATE OR REPLACE TEMP TABLE symbols AS
SELECT i AS sym_idx, 'S' || lpad(CAST(i AS VARCHAR), 4, '0') AS symbol, round(10 + rnd(i, 1) * 390, 2) AS base
FROM range(getvariable('n_symbols')) t(i);

-- A slow sine drift per symbol, so that markouts and the NBBO at receipt move.
CREATE OR REPLACE TEMP MACRO mid_at(base, sym_idx, secs) AS base * (1 + 0.002 * sin(secs / 900.0 + sym_idx));

CREATE OR REPLACE TEMP TABLE q AS
SELECT s.symbol, d.trade_date, q.i, q.secs, s.base, s.sym_idx,
       CAST(d.open_ts + to_microseconds(CAST(q.secs * 1e6 AS BIGINT)) AS TIMESTAMPTZ) AS ts,
       0.01 * (1 + floor(rnd(q.i, 3) * 3)) AS spread
FROM (SELECT i, i % getvariable('n_symbols') AS sym_idx, (i // getvariable('n_symbols')) % getvariable('n_days') AS day_idx,
             rnd(i, 2) * 23400 AS secs
      FROM range(getvariable('n_quotes')) t(i)) q
JOIN symbols s USING (sym_idx)
JOIN days d USING (day_idx);

COPY (
  SELECT symbol, ts, bid, CASE WHEN rnd(i, 4) < 0.0005 THEN bid - 0.01 ELSE round(bid + spread, 2) END AS ask,
         CAST(100 * (1 + floor(rnd(i, 5) * 10)) AS BIGINT) AS bid_size, CAST(100 * (1 + floor(rnd(i, 6) * 10)) AS BIGINT) AS ask_size,
         rnd(i, 4) < 0.0005 AS crossed, 'sip' AS source, 'sip/quotes/' || CAST(trade_date AS VARCHAR) || '.csv' AS source_key,
         CAST(i + 1 AS BIGINT) AS source_line, TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, trade_date
  FROM (SELECT *, round(mid_at(base, sym_idx, secs) - spread / 2, 2) AS bid FROM q)
  -- a market-data file is in time order, which is also what makes ts compress
  ORDER BY trade_date, ts
) TO '{{LAKE}}/quotes' (FORMAT parquet, PARTITION_BY (trade_date), COMPRESSION zstd, OVERWRITE_OR_IGNORE);
DROP TABLE q;

CREATE OR REPLACE TEMP TABLE o AS
SELECT i, CASE WHEN i % 2 = 0 THEN 'acme-sor' ELSE 'bolt-sor' END AS source, 'O' || CAST(i AS VARCHAR) AS order_id,
       s.symbol, s.base, s.sym_idx, d.trade_date, secs,
       CAST(d.open_ts + to_microseconds(CAST(secs * 1e6 AS BIGINT)) AS TIMESTAMPTZ) AS received_ts,
       CASE WHEN rnd(i, 14) < 0.5 THEN 'B' WHEN rnd(i, 14) < 0.9 THEN 'S' WHEN rnd(i, 14) < 0.97 THEN 'SS' ELSE 'SX' END AS side,
       CASE WHEN rnd(i, 15) < 0.6 THEN 'MKT' ELSE 'LMT' END AS order_type,
       CASE WHEN rnd(i, 16) < 0.95 THEN 'DAY' WHEN rnd(i, 16) < 0.97 THEN 'IOC' WHEN rnd(i, 16) < 0.985 THEN 'OPG' ELSE 'CLS' END AS tif,
       CAST(CASE WHEN rnd(i, 17) < 0.1 THEN 1 + floor(rnd(i, 18) * 99) ELSE 100 * (1 + floor(rnd(i, 18) * 20)) END AS BIGINT) AS qty,
       CAST(floor(rnd(i, 20) * 6) AS BIGINT) AS n_fills
FROM (SELECT i, floor(rnd(i, 11) * getvariable('n_symbols')) AS sym_idx, floor(rnd(i, 12) * getvariable('n_days')) AS day_idx,
             rnd(i, 13) * 23000 AS secs
      FROM range(getvariable('n_orders')) t(i)) x
JOIN symbols s USING (sym_idx)
JOIN days d USING (day_idx);

COPY (
  SELECT order_id, symbol, side, order_type,
         CASE WHEN order_type = 'LMT' THEN round(mid_at(base, sym_idx, secs) * (1 + (rnd(i, 19) - 0.4) * 0.004), 2) END AS limit_price,
         tif, qty, received_ts, 'N' AS directed, CAST(NULL AS DOUBLE) AS vendor_nbb, CAST(NULL AS DOUBLE) AS vendor_nbo,
         CASE WHEN n_fills = 0 AND rnd(i, 21) < 0.5 THEN received_ts + INTERVAL 30 SECOND END AS canceled_ts,
         source || '/orders/' || CAST(trade_date AS VARCHAR) || '.csv' AS source_key, CAST(i + 1 AS BIGINT) AS source_line,
         TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, source, trade_date
  FROM o
) TO '{{LAKE}}/orders' (FORMAT parquet, PARTITION_BY (source, trade_date), COMPRESSION zstd, OVERWRITE_OR_IGNORE);

CREATE OR REPLACE TEMP TABLE venue_list AS
SELECT * FROM (VALUES (0, 'XNAS', 'EXCHANGE', 0.0), (1, 'XNYS', 'EXCHANGE', 0.0), (2, 'ARCX', 'EXCHANGE', 0.0),
                      (3, 'BATS', 'EXCHANGE', 0.0), (4, 'EDGX', 'EXCHANGE', 0.0), (5, 'IEXG', 'EXCHANGE', 0.0),
                      (6, 'CDRG', 'WHOLESALER', 0.002), (7, 'VIRT', 'WHOLESALER', 0.0015)) AS t (v_idx, venue, venue_type, pfof);

COPY (
  SELECT 'X' || CAST(o.i AS VARCHAR) || '-' || CAST(o.j AS VARCHAR) AS exec_id, o.order_id, CAST(NULL AS VARCHAR) AS route_id,
         v.venue, o.received_ts + to_microseconds(CAST(-ln(1 - rnd(o.i * 8 + o.j, 22)) * CASE WHEN o.order_type = 'MKT' THEN 150000 ELSE 20000000 END AS BIGINT)) AS exec_ts,
         round(mid_at(o.base, o.sym_idx, o.secs) + (rnd(o.i * 8 + o.j, 23) - 0.5) * 0.03, 2) AS price,
         CAST(greatest(1, o.qty // (o.n_fills + 1)) AS BIGINT) AS qty, 'R' AS liquidity, CAST(NULL AS DOUBLE) AS fee,
         o.source || '/executions/' || CAST(o.trade_date AS VARCHAR) || '.csv' AS source_key, CAST(o.i * 8 + o.j + 1 AS BIGINT) AS source_line,
         TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, o.source, o.trade_date
  FROM (SELECT *, unnest(range(n_fills)) AS j FROM o) o
  JOIN venue_list v ON v.v_idx = CAST(floor(rnd(o.i * 8 + o.j, 24) * 8) AS BIGINT)
) TO '{{LAKE}}/executions' (FORMAT parquet, PARTITION_BY (source, trade_date), COMPRESSION zstd, OVERWRITE_OR_IGNORE);

COPY (
  SELECT 'R' || CAST(o.i AS VARCHAR) || '-' || CAST(o.k AS VARCHAR) AS route_id, o.order_id, v.venue,
         o.received_ts + INTERVAL 1 MILLISECOND AS sent_ts, CAST(greatest(1, o.qty // 2) AS BIGINT) AS qty,
         CAST(NULL AS DOUBLE) AS limit_price, 'IOC' AS route_type,
         o.source || '/routes/' || CAST(o.trade_date AS VARCHAR) || '.csv' AS source_key, CAST(o.i * 2 + o.k + 1 AS BIGINT) AS source_line,
         TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, o.source, o.trade_date
  FROM (SELECT *, unnest(range(2)) AS k FROM o WHERE rnd(i, 25) < 0.3) o
  JOIN venue_list v ON v.v_idx = CAST(floor(rnd(o.i * 2 + o.k, 26) * 8) AS BIGINT)
) TO '{{LAKE}}/routes' (FORMAT parquet, PARTITION_BY (source, trade_date), COMPRESSION zstd, OVERWRITE_OR_IGNORE);

COPY (
  SELECT v.venue, v.venue AS name, v.venue_type, 'Y' AS approved, v.pfof AS pfof_per_share, 0.0 AS fee_per_share,
         0.0 AS rebate_per_share, DATE '2026-01-01' AS effective_from, 'N' AS affiliated, s.source || '/venues/v.csv' AS source_key,
         CAST(v.v_idx + 1 AS BIGINT) AS source_line, TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, s.source
  FROM venue_list v CROSS JOIN (VALUES ('acme-sor'), ('bolt-sor')) AS s (source)
) TO '{{LAKE}}/venues' (FORMAT parquet, PARTITION_BY (source), OVERWRITE_OR_IGNORE);

COPY (
  SELECT 'SP500' AS list, symbol, DATE '2020-01-01' AS effective_from, 'firm/reference/sp500.csv' AS source_key,
         CAST(sym_idx + 1 AS BIGINT) AS source_line, TIMESTAMPTZ '2026-10-02 06:00:00+00' AS ingested_at, 'firm' AS source
  FROM symbols WHERE sym_idx % 2 = 0
) TO '{{LAKE}}/reference' (FORMAT parquet, PARTITION_BY (source), OVERWRITE_OR_IGNORE);
