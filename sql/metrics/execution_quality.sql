-- Execution-quality metrics of one review period, in long format (docs/metrics.md): a pure
-- aggregation of the figures tables, order_figures (one row per order) and execution_figures
-- (one row per execution), which carry every order's and every fill's NBBO, category, size bucket
-- and figures (sql/enrich/, computed once per trade date). No quote is read here.
-- Returns exactly REVIEW_METRIC_COLUMNS (lambdas/shared/metrics.ts) for every metric of
-- metrics.md, per source × period × grouping set, '*' meaning "all".
--
-- Populations (metrics.md):
--   * Price improvement, spreads, net price improvement and exec_time_ms: covered executions only
--     (market or marketable limit, regular hours, not directed, usable NBBO at receipt), in every
--     grouping: a resting limit order's wait is `resting_time_to_fill_ms`, never router latency.
--   * Markouts and price impact: covered executions in the `*`, market and marketable-limit rows;
--     every non-directed execution of the category in the non_marketable_limit and other rows.
--   * Directed orders (the customer chose the venue) stay out of every routing figure: rates,
--     first-fill percentiles, venue shares, PFOF. They count only in the volumes (orders,
--     shares_ordered, executions, shares_executed).
--
-- Shape: three per-order streams, each expanded to the grouping sets and summed, then joined on
-- the group key and unpivoted. Athena (Trino) inlines a CTE at every reference, so every CTE
-- below is referenced once.
--   order_facts → order_groups     order-level measures (rates, first-fill times)
--   fill_by_order → fill_groups    execution figures summed per order and per order × venue,
--                                  so that n_orders counts orders, not fills
--   flow_legs → flow_groups        routed shares per venue (an order's routes, or its executions
--                                  when it has none), PFOF, affiliation, order-flow payments
--   metric_moments                 one row per group and metric with the weighted moments:
--                                  weight = Σw, weight_sq = Σw², weighted_sum = Σw·x,
--                                  weighted_sum_sq = Σw·x²; std_dev and n_eff come from them
-- Parameters (the review's list): period, start_date, end_date, max_quote_age_s. The quote age
-- limit was applied when the figures were computed; it is bound so every review query takes the
-- same list.
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS period, CAST(? AS DATE) AS start_date,
         CAST(? AS DATE) AS end_date, CAST(? AS DOUBLE) AS max_quote_age_s
),
-- Grouping sets of the output: (by symbol, by category, by venue, by size bucket, by S&P 500).
-- A venue set splits a non-venue set by venue; venue_hhi is given for the non-venue sets that
-- have such a split (all, category, S&P 500, S&P 500 × category).
grouping_sets AS (
  SELECT * FROM (VALUES
    (0, 0, 0, 0, 0), (1, 0, 0, 0, 0), (0, 1, 0, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1),
    (1, 1, 0, 0, 0), (0, 1, 0, 0, 1),
    (0, 0, 1, 0, 0), (0, 1, 1, 0, 0), (0, 0, 1, 0, 1), (0, 1, 1, 0, 1)
  ) AS t (by_symbol, by_category, by_venue, by_size, by_sp500)
),
-- ── Orders ──────────────────────────────────────────────────────────────────────────────────────
order_facts AS (
  SELECT o.source, o.order_id, o.symbol, o.order_category, coalesce(o.size_bucket, 'unknown') AS size_bucket, o.sp500,
         CAST(o.qty AS DOUBLE) AS qty, o.executions, CAST(o.shares_executed AS DOUBLE) AS shares_executed,
         coalesce(o.directed, 'N') = 'N' AS routed_by_sor,
         o.filled, o.canceled_unfilled,
         CASE WHEN o.covered THEN o.first_fill_ms END AS first_fill_ms
  FROM order_figures o
  CROSS JOIN params p
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
),
order_groups AS (
  SELECT o.source,
         CASE WHEN g.by_symbol = 1 THEN o.symbol ELSE '*' END AS symbol,
         CASE WHEN g.by_category = 1 THEN o.order_category ELSE '*' END AS order_category,
         '*' AS venue,
         CASE WHEN g.by_size = 1 THEN o.size_bucket ELSE '*' END AS size_bucket,
         CASE WHEN g.by_sp500 = 1 THEN o.sp500 ELSE '*' END AS sp500,
         count(*) AS orders,
         sum(o.qty) AS shares_ordered,
         sum(o.executions) AS order_fills,
         sum(CASE WHEN o.routed_by_sor THEN 1 ELSE 0 END) AS sor_orders,
         sum(CASE WHEN o.routed_by_sor THEN o.executions ELSE 0 END) AS sor_order_fills,
         sum(CASE WHEN o.routed_by_sor AND o.filled THEN 1 ELSE 0 END) AS filled_orders,
         sum(CASE WHEN o.routed_by_sor AND o.canceled_unfilled THEN 1 ELSE 0 END) AS canceled_orders,
         -- limit fill rate: executed over ordered shares of non-marketable limit orders
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN 1 ELSE 0 END) AS limit_orders,
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN o.executions ELSE 0 END) AS limit_order_fills,
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN o.qty ELSE 0 END) AS limit_shares_ordered,
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN o.qty * o.qty ELSE 0 END) AS limit_shares_ordered_sq,
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN o.shares_executed ELSE 0 END) AS limit_shares_executed,
         sum(CASE WHEN o.routed_by_sor AND o.order_category = 'non_marketable_limit' THEN o.shares_executed * o.shares_executed / o.qty ELSE 0 END)
           AS limit_fill_sum_sq,
         -- first-fill time of covered orders (order level: median and p95); a fill before receipt is bad data
         sum(CASE WHEN o.first_fill_ms >= 0 THEN 1 ELSE 0 END) AS first_fill_orders,
         sum(CASE WHEN o.first_fill_ms >= 0 THEN o.executions ELSE 0 END) AS first_fill_order_fills,
         sum(CASE WHEN o.first_fill_ms >= 0 THEN o.first_fill_ms ELSE 0 END) AS first_fill_sum,
         sum(CASE WHEN o.first_fill_ms >= 0 THEN o.first_fill_ms * o.first_fill_ms ELSE 0 END) AS first_fill_sum_sq,
         sum(CASE WHEN o.first_fill_ms < 0 THEN 1 ELSE 0 END) AS negative_first_fills,
         -- exact order-level percentiles need every value: Trino has no exact percentile aggregate
         array_agg(o.first_fill_ms ORDER BY o.first_fill_ms) FILTER (WHERE o.first_fill_ms >= 0) AS first_fill_values
  FROM order_facts o
  CROSS JOIN grouping_sets g
  WHERE g.by_venue = 0
  GROUP BY o.source,
           CASE WHEN g.by_symbol = 1 THEN o.symbol ELSE '*' END,
           CASE WHEN g.by_category = 1 THEN o.order_category ELSE '*' END,
           CASE WHEN g.by_size = 1 THEN o.size_bucket ELSE '*' END,
           CASE WHEN g.by_sp500 = 1 THEN o.sp500 ELSE '*' END
),
-- Percentiles interpolate linearly between the order statistics around p·(n − 1).
order_percentiles AS (
  SELECT o.*,
         o.source || '|' || o.symbol || '|' || o.order_category || '|' || o.venue || '|' || o.size_bucket || '|' || o.sp500 AS group_key,
         CASE WHEN first_fill_orders > 0 THEN
           element_at(first_fill_values, CAST(floor(CAST(50 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
           + (CAST(50 * (first_fill_orders - 1) AS DOUBLE) / 100 - floor(CAST(50 * (first_fill_orders - 1) AS DOUBLE) / 100))
             * (element_at(first_fill_values, CAST(ceil(CAST(50 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
                - element_at(first_fill_values, CAST(floor(CAST(50 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1))
         END AS median_first_fill_ms,
         CASE WHEN first_fill_orders > 0 THEN
           element_at(first_fill_values, CAST(floor(CAST(95 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
           + (CAST(95 * (first_fill_orders - 1) AS DOUBLE) / 100 - floor(CAST(95 * (first_fill_orders - 1) AS DOUBLE) / 100))
             * (element_at(first_fill_values, CAST(ceil(CAST(95 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1)
                - element_at(first_fill_values, CAST(floor(CAST(95 * (first_fill_orders - 1) AS DOUBLE) / 100) AS BIGINT) + 1))
         END AS p95_first_fill_ms
  FROM order_groups o
),
-- ── Executions ──────────────────────────────────────────────────────────────────────────────────
-- Net price improvement deducts the fee the vendor reported on the fill, per share (negative =
-- rebate), as execution_figures.fee_per_share_paid and order_figures.net_price_improvement do.
-- Rebates and fee credits received count as order-flow payments (FINRA Regulatory Notice 21-23):
-- the fill's negative fee, or the venue's rebate for added liquidity when no fee is given, as in
-- sql/rule606/venues.sql.
period_fills AS (
  SELECT e.source, e.order_id, e.venue, e.symbol, e.order_category, coalesce(e.size_bucket, 'unknown') AS size_bucket, e.sp500,
         CAST(e.qty AS DOUBLE) AS shares,
         coalesce(e.exclusion_reason = 'orphan_execution', false) AS orphan,
         coalesce(e.directed, 'N') = 'N' AS routed_by_sor,
         coalesce(e.covered, false) AS covered,
         coalesce(e.covered, false)
           OR coalesce(e.order_category IN ('non_marketable_limit', 'other') AND coalesce(e.directed, 'N') = 'N', false) AS in_markout_scope,
         CASE WHEN e.exclusion_reason IN ('no_nbbo', 'stale_nbbo', 'crossed_or_locked_nbbo') THEN e.exclusion_reason END AS receipt_nbbo_exclusion,
         e.price_improvement, e.effective_spread, e.quoted_spread_receipt AS quoted_spread, e.mid_receipt AS mid,
         e.price_improvement - coalesce(e.fee_per_share_paid, 0) AS net_price_improvement,
         e.exec_time_ms,
         e.exec_us < e.received_us AS before_receipt,
         CASE WHEN e.order_category = 'non_marketable_limit' AND coalesce(e.directed, 'N') = 'N'
              THEN CAST(e.exec_us - e.received_us AS DOUBLE) / 1000 END AS resting_ms,
         e.markout_1s, e.markout_5s, e.markout_15s, e.markout_60s, e.markout_300s,
         e.price_impact_1s, e.price_impact_5s, e.price_impact_15s, e.price_impact_60s, e.price_impact_300s,
         e.realized_spread_15s, e.realized_spread_60s,
         coalesce(e.pfof_venue, false) AS pfof_venue,
         CASE WHEN e.fee IS NOT NULL THEN greatest(-e.fee, 0)
              WHEN e.liquidity = 'A' THEN e.qty * coalesce(e.rebate_per_share, 0)
              ELSE 0 END AS rebate_usd
  FROM execution_figures e
  CROSS JOIN params p
  WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
),
-- Per order (venue aggregated away: all_venues = 1) and per order × venue.
fill_by_order AS (
  SELECT source, order_id, symbol, order_category, size_bucket, sp500, venue,
         grouping(venue) AS all_venues,
         sum(CASE WHEN orphan THEN 0 ELSE 1 END) AS fills,
         sum(CASE WHEN orphan THEN 0 ELSE shares END) AS shares_executed,
         sum(CASE WHEN orphan THEN 1 ELSE 0 END) AS orphan_fills,
         sum(CASE WHEN NOT orphan AND routed_by_sor THEN 1 ELSE 0 END) AS sor_fills,
         sum(CASE WHEN NOT orphan AND routed_by_sor THEN shares ELSE 0 END) AS sor_shares_executed,
         sum(CASE WHEN NOT orphan AND routed_by_sor AND pfof_venue THEN shares ELSE 0 END) AS pfof_shares_executed,
         sum(CASE WHEN NOT orphan AND routed_by_sor THEN rebate_usd ELSE 0 END) AS rebates_usd,
         -- covered executions: price improvement and spreads at receipt
         sum(CASE WHEN covered THEN 1 ELSE 0 END) AS covered_fills,
         sum(CASE WHEN covered THEN shares ELSE 0 END) AS covered_shares,
         sum(CASE WHEN covered THEN shares * shares ELSE 0 END) AS covered_shares_sq,
         sum(CASE WHEN covered THEN shares * price_improvement ELSE 0 END) AS pi_sum,
         sum(CASE WHEN covered THEN shares * price_improvement * price_improvement ELSE 0 END) AS pi_sum_sq,
         sum(CASE WHEN covered AND price_improvement > 0 THEN shares ELSE 0 END) AS improved_shares,
         sum(CASE WHEN covered AND price_improvement = 0 THEN shares ELSE 0 END) AS at_quote_shares,
         sum(CASE WHEN covered AND price_improvement < 0 THEN shares ELSE 0 END) AS outside_quote_shares,
         sum(CASE WHEN covered THEN shares * effective_spread ELSE 0 END) AS effective_sum,
         sum(CASE WHEN covered THEN shares * effective_spread * effective_spread ELSE 0 END) AS effective_sum_sq,
         sum(CASE WHEN covered THEN shares * quoted_spread ELSE 0 END) AS quoted_sum,
         sum(CASE WHEN covered THEN shares * quoted_spread * quoted_spread ELSE 0 END) AS quoted_sum_sq,
         -- the Rule 605 percentages weight each execution by its notional at the mid (shares × M)
         sum(CASE WHEN covered THEN shares * mid ELSE 0 END) AS mid_notional,
         sum(CASE WHEN covered THEN shares * mid * shares * mid ELSE 0 END) AS mid_notional_sq,
         sum(CASE WHEN covered THEN shares * price_improvement * price_improvement / mid ELSE 0 END) AS pi_pct_sum_sq,
         sum(CASE WHEN covered THEN shares * effective_spread * effective_spread / mid ELSE 0 END) AS effective_pct_sum_sq,
         sum(CASE WHEN covered THEN shares * quoted_spread * quoted_spread / mid ELSE 0 END) AS quoted_pct_sum_sq,
         sum(CASE WHEN covered THEN shares * net_price_improvement ELSE 0 END) AS net_pi_sum,
         sum(CASE WHEN covered THEN shares * net_price_improvement * net_price_improvement ELSE 0 END) AS net_pi_sum_sq,
         sum(CASE WHEN receipt_nbbo_exclusion = 'no_nbbo' THEN 1 ELSE 0 END) AS covered_excl_no_nbbo,
         sum(CASE WHEN receipt_nbbo_exclusion = 'stale_nbbo' THEN 1 ELSE 0 END) AS covered_excl_stale,
         sum(CASE WHEN receipt_nbbo_exclusion = 'crossed_or_locked_nbbo' THEN 1 ELSE 0 END) AS covered_excl_crossed,
         -- router latency: covered executions, exact milliseconds from receipt
         sum(CASE WHEN covered AND NOT before_receipt THEN 1 ELSE 0 END) AS timed_fills,
         sum(CASE WHEN covered AND NOT before_receipt THEN shares ELSE 0 END) AS timed_shares,
         sum(CASE WHEN covered AND NOT before_receipt THEN shares * shares ELSE 0 END) AS timed_shares_sq,
         sum(CASE WHEN covered AND NOT before_receipt THEN shares * exec_time_ms ELSE 0 END) AS exec_ms_sum,
         sum(CASE WHEN covered AND NOT before_receipt THEN shares * exec_time_ms * exec_time_ms ELSE 0 END) AS exec_ms_sum_sq,
         sum(CASE WHEN covered AND before_receipt THEN 1 ELSE 0 END) AS negative_exec_times,
         -- a resting limit order's wait for its fills
         sum(CASE WHEN resting_ms >= 0 THEN 1 ELSE 0 END) AS resting_fills,
         sum(CASE WHEN resting_ms >= 0 THEN shares ELSE 0 END) AS resting_shares,
         sum(CASE WHEN resting_ms >= 0 THEN shares * shares ELSE 0 END) AS resting_shares_sq,
         sum(CASE WHEN resting_ms >= 0 THEN shares * resting_ms ELSE 0 END) AS resting_ms_sum,
         sum(CASE WHEN resting_ms >= 0 THEN shares * resting_ms * resting_ms ELSE 0 END) AS resting_ms_sum_sq,
         sum(CASE WHEN resting_ms < 0 THEN 1 ELSE 0 END) AS negative_resting_times,
         -- markout 1s: every fill in the markout population (see above) with a usable mid at exec_ts + 1s
         sum(CASE WHEN in_markout_scope AND markout_1s IS NOT NULL THEN 1 ELSE 0 END) AS markout_1s_fills,
         sum(CASE WHEN in_markout_scope AND markout_1s IS NOT NULL THEN shares ELSE 0 END) AS markout_1s_shares,
         sum(CASE WHEN in_markout_scope AND markout_1s IS NOT NULL THEN shares * shares ELSE 0 END) AS markout_1s_shares_sq,
         sum(CASE WHEN in_markout_scope AND markout_1s IS NOT NULL THEN shares * markout_1s ELSE 0 END) AS markout_1s_sum,
         sum(CASE WHEN in_markout_scope AND markout_1s IS NOT NULL THEN shares * markout_1s * markout_1s ELSE 0 END) AS markout_1s_sum_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_1s IS NOT NULL THEN 1 ELSE 0 END) AS impact_1s_fills,
         sum(CASE WHEN in_markout_scope AND price_impact_1s IS NOT NULL THEN shares ELSE 0 END) AS impact_1s_shares,
         sum(CASE WHEN in_markout_scope AND price_impact_1s IS NOT NULL THEN shares * shares ELSE 0 END) AS impact_1s_shares_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_1s IS NOT NULL THEN shares * price_impact_1s ELSE 0 END) AS impact_1s_sum,
         sum(CASE WHEN in_markout_scope AND price_impact_1s IS NOT NULL THEN shares * price_impact_1s * price_impact_1s ELSE 0 END) AS impact_1s_sum_sq,
         -- markout 5s: every fill in the markout population (see above) with a usable mid at exec_ts + 5s
         sum(CASE WHEN in_markout_scope AND markout_5s IS NOT NULL THEN 1 ELSE 0 END) AS markout_5s_fills,
         sum(CASE WHEN in_markout_scope AND markout_5s IS NOT NULL THEN shares ELSE 0 END) AS markout_5s_shares,
         sum(CASE WHEN in_markout_scope AND markout_5s IS NOT NULL THEN shares * shares ELSE 0 END) AS markout_5s_shares_sq,
         sum(CASE WHEN in_markout_scope AND markout_5s IS NOT NULL THEN shares * markout_5s ELSE 0 END) AS markout_5s_sum,
         sum(CASE WHEN in_markout_scope AND markout_5s IS NOT NULL THEN shares * markout_5s * markout_5s ELSE 0 END) AS markout_5s_sum_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_5s IS NOT NULL THEN 1 ELSE 0 END) AS impact_5s_fills,
         sum(CASE WHEN in_markout_scope AND price_impact_5s IS NOT NULL THEN shares ELSE 0 END) AS impact_5s_shares,
         sum(CASE WHEN in_markout_scope AND price_impact_5s IS NOT NULL THEN shares * shares ELSE 0 END) AS impact_5s_shares_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_5s IS NOT NULL THEN shares * price_impact_5s ELSE 0 END) AS impact_5s_sum,
         sum(CASE WHEN in_markout_scope AND price_impact_5s IS NOT NULL THEN shares * price_impact_5s * price_impact_5s ELSE 0 END) AS impact_5s_sum_sq,
         -- markout 15s: every fill in the markout population (see above) with a usable mid at exec_ts + 15s
         sum(CASE WHEN in_markout_scope AND markout_15s IS NOT NULL THEN 1 ELSE 0 END) AS markout_15s_fills,
         sum(CASE WHEN in_markout_scope AND markout_15s IS NOT NULL THEN shares ELSE 0 END) AS markout_15s_shares,
         sum(CASE WHEN in_markout_scope AND markout_15s IS NOT NULL THEN shares * shares ELSE 0 END) AS markout_15s_shares_sq,
         sum(CASE WHEN in_markout_scope AND markout_15s IS NOT NULL THEN shares * markout_15s ELSE 0 END) AS markout_15s_sum,
         sum(CASE WHEN in_markout_scope AND markout_15s IS NOT NULL THEN shares * markout_15s * markout_15s ELSE 0 END) AS markout_15s_sum_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_15s IS NOT NULL THEN 1 ELSE 0 END) AS impact_15s_fills,
         sum(CASE WHEN in_markout_scope AND price_impact_15s IS NOT NULL THEN shares ELSE 0 END) AS impact_15s_shares,
         sum(CASE WHEN in_markout_scope AND price_impact_15s IS NOT NULL THEN shares * shares ELSE 0 END) AS impact_15s_shares_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_15s IS NOT NULL THEN shares * price_impact_15s ELSE 0 END) AS impact_15s_sum,
         sum(CASE WHEN in_markout_scope AND price_impact_15s IS NOT NULL THEN shares * price_impact_15s * price_impact_15s ELSE 0 END) AS impact_15s_sum_sq,
         sum(CASE WHEN covered AND realized_spread_15s IS NOT NULL THEN 1 ELSE 0 END) AS realized_15s_fills,
         sum(CASE WHEN covered AND realized_spread_15s IS NOT NULL THEN shares ELSE 0 END) AS realized_15s_shares,
         sum(CASE WHEN covered AND realized_spread_15s IS NOT NULL THEN shares * shares ELSE 0 END) AS realized_15s_shares_sq,
         sum(CASE WHEN covered AND realized_spread_15s IS NOT NULL THEN shares * realized_spread_15s ELSE 0 END) AS realized_15s_sum,
         sum(CASE WHEN covered AND realized_spread_15s IS NOT NULL THEN shares * realized_spread_15s * realized_spread_15s ELSE 0 END) AS realized_15s_sum_sq,
         -- markout 60s: every fill in the markout population (see above) with a usable mid at exec_ts + 60s
         sum(CASE WHEN in_markout_scope AND markout_60s IS NOT NULL THEN 1 ELSE 0 END) AS markout_60s_fills,
         sum(CASE WHEN in_markout_scope AND markout_60s IS NOT NULL THEN shares ELSE 0 END) AS markout_60s_shares,
         sum(CASE WHEN in_markout_scope AND markout_60s IS NOT NULL THEN shares * shares ELSE 0 END) AS markout_60s_shares_sq,
         sum(CASE WHEN in_markout_scope AND markout_60s IS NOT NULL THEN shares * markout_60s ELSE 0 END) AS markout_60s_sum,
         sum(CASE WHEN in_markout_scope AND markout_60s IS NOT NULL THEN shares * markout_60s * markout_60s ELSE 0 END) AS markout_60s_sum_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_60s IS NOT NULL THEN 1 ELSE 0 END) AS impact_60s_fills,
         sum(CASE WHEN in_markout_scope AND price_impact_60s IS NOT NULL THEN shares ELSE 0 END) AS impact_60s_shares,
         sum(CASE WHEN in_markout_scope AND price_impact_60s IS NOT NULL THEN shares * shares ELSE 0 END) AS impact_60s_shares_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_60s IS NOT NULL THEN shares * price_impact_60s ELSE 0 END) AS impact_60s_sum,
         sum(CASE WHEN in_markout_scope AND price_impact_60s IS NOT NULL THEN shares * price_impact_60s * price_impact_60s ELSE 0 END) AS impact_60s_sum_sq,
         sum(CASE WHEN covered AND realized_spread_60s IS NOT NULL THEN 1 ELSE 0 END) AS realized_60s_fills,
         sum(CASE WHEN covered AND realized_spread_60s IS NOT NULL THEN shares ELSE 0 END) AS realized_60s_shares,
         sum(CASE WHEN covered AND realized_spread_60s IS NOT NULL THEN shares * shares ELSE 0 END) AS realized_60s_shares_sq,
         sum(CASE WHEN covered AND realized_spread_60s IS NOT NULL THEN shares * realized_spread_60s ELSE 0 END) AS realized_60s_sum,
         sum(CASE WHEN covered AND realized_spread_60s IS NOT NULL THEN shares * realized_spread_60s * realized_spread_60s ELSE 0 END) AS realized_60s_sum_sq,
         -- markout 300s: every fill in the markout population (see above) with a usable mid at exec_ts + 300s
         sum(CASE WHEN in_markout_scope AND markout_300s IS NOT NULL THEN 1 ELSE 0 END) AS markout_300s_fills,
         sum(CASE WHEN in_markout_scope AND markout_300s IS NOT NULL THEN shares ELSE 0 END) AS markout_300s_shares,
         sum(CASE WHEN in_markout_scope AND markout_300s IS NOT NULL THEN shares * shares ELSE 0 END) AS markout_300s_shares_sq,
         sum(CASE WHEN in_markout_scope AND markout_300s IS NOT NULL THEN shares * markout_300s ELSE 0 END) AS markout_300s_sum,
         sum(CASE WHEN in_markout_scope AND markout_300s IS NOT NULL THEN shares * markout_300s * markout_300s ELSE 0 END) AS markout_300s_sum_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_300s IS NOT NULL THEN 1 ELSE 0 END) AS impact_300s_fills,
         sum(CASE WHEN in_markout_scope AND price_impact_300s IS NOT NULL THEN shares ELSE 0 END) AS impact_300s_shares,
         sum(CASE WHEN in_markout_scope AND price_impact_300s IS NOT NULL THEN shares * shares ELSE 0 END) AS impact_300s_shares_sq,
         sum(CASE WHEN in_markout_scope AND price_impact_300s IS NOT NULL THEN shares * price_impact_300s ELSE 0 END) AS impact_300s_sum,
         sum(CASE WHEN in_markout_scope AND price_impact_300s IS NOT NULL THEN shares * price_impact_300s * price_impact_300s ELSE 0 END) AS impact_300s_sum_sq
  FROM period_fills
  GROUP BY GROUPING SETS (
    (source, order_id, symbol, order_category, size_bucket, sp500),
    (source, order_id, symbol, order_category, size_bucket, sp500, venue)
  )
),
-- The markout population differs by row: in a category's own row, every execution of that
-- category in scope; in a row over all categories (order_category '*'), covered executions only.
fill_rows_by_group AS (
  SELECT f.*,
         f.source || '|' || CASE WHEN g.by_symbol = 1 THEN f.symbol ELSE '*' END
           || '|' || CASE WHEN g.by_category = 1 THEN f.order_category ELSE '*' END
           || '|' || CASE WHEN g.by_venue = 1 THEN f.venue ELSE '*' END
           || '|' || CASE WHEN g.by_size = 1 THEN f.size_bucket ELSE '*' END
           || '|' || CASE WHEN g.by_sp500 = 1 THEN f.sp500 ELSE '*' END AS group_key,
         CASE WHEN g.by_symbol = 1 THEN f.symbol ELSE '*' END AS group_symbol,
         CASE WHEN g.by_category = 1 THEN f.order_category ELSE '*' END AS group_category,
         CASE WHEN g.by_venue = 1 THEN f.venue ELSE '*' END AS group_venue,
         CASE WHEN g.by_size = 1 THEN f.size_bucket ELSE '*' END AS group_size,
         CASE WHEN g.by_sp500 = 1 THEN f.sp500 ELSE '*' END AS group_sp500,
         CASE WHEN g.by_category = 1 OR f.order_category IN ('market', 'marketable_limit') THEN 1 ELSE 0 END AS markout_weight
  FROM fill_by_order f
  CROSS JOIN grouping_sets g
  WHERE ((f.all_venues = 1 AND g.by_venue = 0) OR (f.all_venues = 0 AND g.by_venue = 1))
    -- an orphan execution has no order: it counts only where every order column is '*'
    AND (f.symbol IS NOT NULL OR (g.by_symbol = 0 AND g.by_category = 0 AND g.by_size = 0 AND g.by_sp500 = 0))
),
fill_groups AS (
  SELECT f.group_key, f.source, f.group_symbol AS symbol, f.group_category AS order_category, f.group_venue AS venue,
         f.group_size AS size_bucket, f.group_sp500 AS sp500,
         sum(f.fills) AS fills,
         sum(CASE WHEN f.fills > 0 THEN 1 ELSE 0 END) AS fill_orders,
         sum(f.shares_executed) AS shares_executed,
         sum(f.orphan_fills) AS orphan_fills,
         sum(f.sor_fills) AS sor_fills,
         sum(CASE WHEN f.sor_fills > 0 THEN 1 ELSE 0 END) AS sor_fill_orders,
         sum(f.sor_shares_executed) AS sor_shares_executed,
         sum(f.pfof_shares_executed) AS pfof_shares_executed,
         sum(f.rebates_usd) AS rebates_usd,
         sum(f.covered_fills) AS covered_fills,
         sum(CASE WHEN f.covered_fills > 0 THEN 1 ELSE 0 END) AS covered_orders,
         sum(f.covered_shares) AS covered_shares,
         sum(f.covered_shares_sq) AS covered_shares_sq,
         sum(f.pi_sum) AS pi_sum,
         sum(f.pi_sum_sq) AS pi_sum_sq,
         sum(f.improved_shares) AS improved_shares,
         sum(f.at_quote_shares) AS at_quote_shares,
         sum(f.outside_quote_shares) AS outside_quote_shares,
         sum(f.effective_sum) AS effective_sum,
         sum(f.effective_sum_sq) AS effective_sum_sq,
         sum(f.quoted_sum) AS quoted_sum,
         sum(f.quoted_sum_sq) AS quoted_sum_sq,
         sum(f.mid_notional) AS mid_notional,
         sum(f.mid_notional_sq) AS mid_notional_sq,
         sum(f.pi_pct_sum_sq) AS pi_pct_sum_sq,
         sum(f.effective_pct_sum_sq) AS effective_pct_sum_sq,
         sum(f.quoted_pct_sum_sq) AS quoted_pct_sum_sq,
         sum(f.net_pi_sum) AS net_pi_sum,
         sum(f.net_pi_sum_sq) AS net_pi_sum_sq,
         sum(f.covered_excl_no_nbbo) AS covered_excl_no_nbbo,
         sum(f.covered_excl_stale) AS covered_excl_stale,
         sum(f.covered_excl_crossed) AS covered_excl_crossed,
         sum(f.timed_fills) AS timed_fills,
         sum(CASE WHEN f.timed_fills > 0 THEN 1 ELSE 0 END) AS timed_orders,
         sum(f.timed_shares) AS timed_shares,
         sum(f.timed_shares_sq) AS timed_shares_sq,
         sum(f.exec_ms_sum) AS exec_ms_sum,
         sum(f.exec_ms_sum_sq) AS exec_ms_sum_sq,
         sum(f.negative_exec_times) AS negative_exec_times,
         sum(f.resting_fills) AS resting_fills,
         sum(CASE WHEN f.resting_fills > 0 THEN 1 ELSE 0 END) AS resting_orders,
         sum(f.resting_shares) AS resting_shares,
         sum(f.resting_shares_sq) AS resting_shares_sq,
         sum(f.resting_ms_sum) AS resting_ms_sum,
         sum(f.resting_ms_sum_sq) AS resting_ms_sum_sq,
         sum(f.negative_resting_times) AS negative_resting_times,
         sum(f.markout_weight * f.markout_1s_fills) AS markout_1s_fills,
         sum(f.markout_weight * f.markout_1s_shares) AS markout_1s_shares,
         sum(f.markout_weight * f.markout_1s_shares_sq) AS markout_1s_shares_sq,
         sum(f.markout_weight * f.markout_1s_sum) AS markout_1s_sum,
         sum(f.markout_weight * f.markout_1s_sum_sq) AS markout_1s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.markout_1s_fills > 0 THEN 1 ELSE 0 END) AS markout_1s_orders,
         sum(f.markout_weight * f.impact_1s_fills) AS impact_1s_fills,
         sum(f.markout_weight * f.impact_1s_shares) AS impact_1s_shares,
         sum(f.markout_weight * f.impact_1s_shares_sq) AS impact_1s_shares_sq,
         sum(f.markout_weight * f.impact_1s_sum) AS impact_1s_sum,
         sum(f.markout_weight * f.impact_1s_sum_sq) AS impact_1s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.impact_1s_fills > 0 THEN 1 ELSE 0 END) AS impact_1s_orders,
         sum(f.markout_weight * f.markout_5s_fills) AS markout_5s_fills,
         sum(f.markout_weight * f.markout_5s_shares) AS markout_5s_shares,
         sum(f.markout_weight * f.markout_5s_shares_sq) AS markout_5s_shares_sq,
         sum(f.markout_weight * f.markout_5s_sum) AS markout_5s_sum,
         sum(f.markout_weight * f.markout_5s_sum_sq) AS markout_5s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.markout_5s_fills > 0 THEN 1 ELSE 0 END) AS markout_5s_orders,
         sum(f.markout_weight * f.impact_5s_fills) AS impact_5s_fills,
         sum(f.markout_weight * f.impact_5s_shares) AS impact_5s_shares,
         sum(f.markout_weight * f.impact_5s_shares_sq) AS impact_5s_shares_sq,
         sum(f.markout_weight * f.impact_5s_sum) AS impact_5s_sum,
         sum(f.markout_weight * f.impact_5s_sum_sq) AS impact_5s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.impact_5s_fills > 0 THEN 1 ELSE 0 END) AS impact_5s_orders,
         sum(f.markout_weight * f.markout_15s_fills) AS markout_15s_fills,
         sum(f.markout_weight * f.markout_15s_shares) AS markout_15s_shares,
         sum(f.markout_weight * f.markout_15s_shares_sq) AS markout_15s_shares_sq,
         sum(f.markout_weight * f.markout_15s_sum) AS markout_15s_sum,
         sum(f.markout_weight * f.markout_15s_sum_sq) AS markout_15s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.markout_15s_fills > 0 THEN 1 ELSE 0 END) AS markout_15s_orders,
         sum(f.markout_weight * f.impact_15s_fills) AS impact_15s_fills,
         sum(f.markout_weight * f.impact_15s_shares) AS impact_15s_shares,
         sum(f.markout_weight * f.impact_15s_shares_sq) AS impact_15s_shares_sq,
         sum(f.markout_weight * f.impact_15s_sum) AS impact_15s_sum,
         sum(f.markout_weight * f.impact_15s_sum_sq) AS impact_15s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.impact_15s_fills > 0 THEN 1 ELSE 0 END) AS impact_15s_orders,
         sum(f.realized_15s_fills) AS realized_15s_fills,
         sum(f.realized_15s_shares) AS realized_15s_shares,
         sum(f.realized_15s_shares_sq) AS realized_15s_shares_sq,
         sum(f.realized_15s_sum) AS realized_15s_sum,
         sum(f.realized_15s_sum_sq) AS realized_15s_sum_sq,
         sum(CASE WHEN f.realized_15s_fills > 0 THEN 1 ELSE 0 END) AS realized_15s_orders,
         sum(f.markout_weight * f.markout_60s_fills) AS markout_60s_fills,
         sum(f.markout_weight * f.markout_60s_shares) AS markout_60s_shares,
         sum(f.markout_weight * f.markout_60s_shares_sq) AS markout_60s_shares_sq,
         sum(f.markout_weight * f.markout_60s_sum) AS markout_60s_sum,
         sum(f.markout_weight * f.markout_60s_sum_sq) AS markout_60s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.markout_60s_fills > 0 THEN 1 ELSE 0 END) AS markout_60s_orders,
         sum(f.markout_weight * f.impact_60s_fills) AS impact_60s_fills,
         sum(f.markout_weight * f.impact_60s_shares) AS impact_60s_shares,
         sum(f.markout_weight * f.impact_60s_shares_sq) AS impact_60s_shares_sq,
         sum(f.markout_weight * f.impact_60s_sum) AS impact_60s_sum,
         sum(f.markout_weight * f.impact_60s_sum_sq) AS impact_60s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.impact_60s_fills > 0 THEN 1 ELSE 0 END) AS impact_60s_orders,
         sum(f.realized_60s_fills) AS realized_60s_fills,
         sum(f.realized_60s_shares) AS realized_60s_shares,
         sum(f.realized_60s_shares_sq) AS realized_60s_shares_sq,
         sum(f.realized_60s_sum) AS realized_60s_sum,
         sum(f.realized_60s_sum_sq) AS realized_60s_sum_sq,
         sum(CASE WHEN f.realized_60s_fills > 0 THEN 1 ELSE 0 END) AS realized_60s_orders,
         sum(f.markout_weight * f.markout_300s_fills) AS markout_300s_fills,
         sum(f.markout_weight * f.markout_300s_shares) AS markout_300s_shares,
         sum(f.markout_weight * f.markout_300s_shares_sq) AS markout_300s_shares_sq,
         sum(f.markout_weight * f.markout_300s_sum) AS markout_300s_sum,
         sum(f.markout_weight * f.markout_300s_sum_sq) AS markout_300s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.markout_300s_fills > 0 THEN 1 ELSE 0 END) AS markout_300s_orders,
         sum(f.markout_weight * f.impact_300s_fills) AS impact_300s_fills,
         sum(f.markout_weight * f.impact_300s_shares) AS impact_300s_shares,
         sum(f.markout_weight * f.impact_300s_shares_sq) AS impact_300s_shares_sq,
         sum(f.markout_weight * f.impact_300s_sum) AS impact_300s_sum,
         sum(f.markout_weight * f.impact_300s_sum_sq) AS impact_300s_sum_sq,
         sum(CASE WHEN f.markout_weight = 1 AND f.impact_300s_fills > 0 THEN 1 ELSE 0 END) AS impact_300s_orders
  FROM fill_rows_by_group f
  GROUP BY f.group_key, f.source, f.group_symbol, f.group_category, f.group_venue, f.group_size, f.group_sp500
),
-- ── Venue flow ──────────────────────────────────────────────────────────────────────────────────
-- An order's routes, or its executions when it has no route (metrics.md venue_share_pct), for
-- non-directed orders only: the customer, not the router, chose a directed order's venue. Venue
-- terms are the source's record in force on the leg's trade date.
flow_legs AS (
  SELECT o.source, o.order_id, o.symbol, o.order_category, coalesce(o.size_bucket, 'unknown') AS size_bucket, o.sp500,
         leg.venue, CAST(leg.qty AS DOUBLE) AS shares, leg.trade_date
  FROM (
    SELECT r.source, r.order_id, r.venue, r.qty, r.trade_date, true AS is_route
    FROM routes r CROSS JOIN params p
    WHERE r.trade_date >= p.start_date AND r.trade_date < p.end_date
    UNION ALL
    SELECT e.source, e.order_id, e.venue, e.qty, e.trade_date, false AS is_route
    FROM execution_figures e CROSS JOIN params p
    WHERE e.trade_date >= p.start_date AND e.trade_date < p.end_date
  ) AS leg
  JOIN order_figures o ON o.source = leg.source AND o.order_id = leg.order_id
  CROSS JOIN params p
  WHERE o.trade_date >= p.start_date AND o.trade_date < p.end_date
    AND coalesce(o.directed, 'N') = 'N'
    AND (leg.is_route OR coalesce(o.routed_shares, 0) = 0)
),
venue_terms AS (
  SELECT source, venue, effective_from, pfof_per_share, affiliated,
         lead(effective_from) OVER (PARTITION BY source, venue ORDER BY effective_from) AS effective_to
  FROM venues
),
flow_by_order AS (
  SELECT l.source, l.order_id, l.symbol, l.order_category, l.size_bucket, l.sp500, l.venue,
         grouping(l.venue) AS all_venues,
         sum(l.shares) AS flow_shares,
         sum(CASE WHEN t.pfof_per_share > 0 THEN l.shares ELSE 0 END) AS pfof_flow_shares,
         sum(l.shares * coalesce(t.pfof_per_share, 0)) AS pfof_usd,
         sum(CASE WHEN t.affiliated = 'Y' THEN l.shares ELSE 0 END) AS affiliated_flow_shares
  FROM flow_legs l
  LEFT JOIN venue_terms t
    ON t.source = l.source AND t.venue = l.venue AND t.effective_from <= l.trade_date
   AND (t.effective_to IS NULL OR l.trade_date < t.effective_to)
  GROUP BY GROUPING SETS (
    (l.source, l.order_id, l.symbol, l.order_category, l.size_bucket, l.sp500),
    (l.source, l.order_id, l.symbol, l.order_category, l.size_bucket, l.sp500, l.venue)
  )
),
flow_rows_by_group AS (
  SELECT f.*,
         f.source || '|' || CASE WHEN g.by_symbol = 1 THEN f.symbol ELSE '*' END
           || '|' || CASE WHEN g.by_category = 1 THEN f.order_category ELSE '*' END
           || '|' || CASE WHEN g.by_venue = 1 THEN f.venue ELSE '*' END
           || '|' || CASE WHEN g.by_size = 1 THEN f.size_bucket ELSE '*' END
           || '|' || CASE WHEN g.by_sp500 = 1 THEN f.sp500 ELSE '*' END AS group_key,
         CASE WHEN g.by_symbol = 1 THEN f.symbol ELSE '*' END AS group_symbol,
         CASE WHEN g.by_category = 1 THEN f.order_category ELSE '*' END AS group_category,
         CASE WHEN g.by_venue = 1 THEN f.venue ELSE '*' END AS group_venue,
         CASE WHEN g.by_size = 1 THEN f.size_bucket ELSE '*' END AS group_size,
         CASE WHEN g.by_sp500 = 1 THEN f.sp500 ELSE '*' END AS group_sp500
  FROM flow_by_order f
  CROSS JOIN grouping_sets g
  WHERE (f.all_venues = 1 AND g.by_venue = 0) OR (f.all_venues = 0 AND g.by_venue = 1)
),
flow_groups AS (
  SELECT group_key, source, group_symbol AS symbol, group_category AS order_category,
         group_venue AS venue, group_size AS size_bucket, group_sp500 AS sp500,
         sum(flow_shares) AS flow_shares,
         sum(CASE WHEN flow_shares > 0 THEN 1 ELSE 0 END) AS flow_orders,
         sum(pfof_flow_shares) AS pfof_flow_shares,
         sum(pfof_usd) AS pfof_usd,
         sum(affiliated_flow_shares) AS affiliated_flow_shares
  FROM flow_rows_by_group
  GROUP BY group_key, source, group_symbol, group_category, group_venue, group_size, group_sp500
),
all_groups AS (
  SELECT coalesce(f.source, o.source, w.source) AS source, coalesce(f.symbol, o.symbol, w.symbol) AS symbol, coalesce(f.order_category, o.order_category, w.order_category) AS order_category,
         coalesce(f.venue, o.venue, w.venue) AS venue, coalesce(f.size_bucket, o.size_bucket, w.size_bucket) AS size_bucket, coalesce(f.sp500, o.sp500, w.sp500) AS sp500,
         coalesce(f.fills, 0) AS fills, coalesce(f.fill_orders, 0) AS fill_orders,
         coalesce(f.shares_executed, 0) AS shares_executed, coalesce(f.orphan_fills, 0) AS orphan_fills,
         coalesce(f.sor_fills, 0) AS sor_fills, coalesce(f.sor_fill_orders, 0) AS sor_fill_orders,
         coalesce(f.sor_shares_executed, 0) AS sor_shares_executed,
         coalesce(f.pfof_shares_executed, 0) AS pfof_shares_executed, coalesce(f.rebates_usd, 0) AS rebates_usd,
         coalesce(f.covered_fills, 0) AS covered_fills, coalesce(f.covered_orders, 0) AS covered_orders,
         coalesce(f.covered_shares, 0) AS covered_shares, coalesce(f.covered_shares_sq, 0) AS covered_shares_sq,
         coalesce(f.pi_sum, 0) AS pi_sum, coalesce(f.pi_sum_sq, 0) AS pi_sum_sq,
         coalesce(f.improved_shares, 0) AS improved_shares, coalesce(f.at_quote_shares, 0) AS at_quote_shares,
         coalesce(f.outside_quote_shares, 0) AS outside_quote_shares, coalesce(f.effective_sum, 0) AS effective_sum,
         coalesce(f.effective_sum_sq, 0) AS effective_sum_sq, coalesce(f.quoted_sum, 0) AS quoted_sum,
         coalesce(f.quoted_sum_sq, 0) AS quoted_sum_sq, coalesce(f.mid_notional, 0) AS mid_notional,
         coalesce(f.mid_notional_sq, 0) AS mid_notional_sq, coalesce(f.pi_pct_sum_sq, 0) AS pi_pct_sum_sq,
         coalesce(f.effective_pct_sum_sq, 0) AS effective_pct_sum_sq, coalesce(f.quoted_pct_sum_sq, 0) AS quoted_pct_sum_sq,
         coalesce(f.net_pi_sum, 0) AS net_pi_sum, coalesce(f.net_pi_sum_sq, 0) AS net_pi_sum_sq,
         coalesce(f.covered_excl_no_nbbo, 0) AS covered_excl_no_nbbo,
         coalesce(f.covered_excl_stale, 0) AS covered_excl_stale,
         coalesce(f.covered_excl_crossed, 0) AS covered_excl_crossed, coalesce(f.timed_fills, 0) AS timed_fills,
         coalesce(f.timed_orders, 0) AS timed_orders, coalesce(f.timed_shares, 0) AS timed_shares,
         coalesce(f.timed_shares_sq, 0) AS timed_shares_sq, coalesce(f.exec_ms_sum, 0) AS exec_ms_sum,
         coalesce(f.exec_ms_sum_sq, 0) AS exec_ms_sum_sq, coalesce(f.negative_exec_times, 0) AS negative_exec_times,
         coalesce(f.resting_fills, 0) AS resting_fills, coalesce(f.resting_orders, 0) AS resting_orders,
         coalesce(f.resting_shares, 0) AS resting_shares, coalesce(f.resting_shares_sq, 0) AS resting_shares_sq,
         coalesce(f.resting_ms_sum, 0) AS resting_ms_sum, coalesce(f.resting_ms_sum_sq, 0) AS resting_ms_sum_sq,
         coalesce(f.negative_resting_times, 0) AS negative_resting_times,
         coalesce(f.markout_1s_fills, 0) AS markout_1s_fills, coalesce(f.markout_1s_shares, 0) AS markout_1s_shares,
         coalesce(f.markout_1s_shares_sq, 0) AS markout_1s_shares_sq, coalesce(f.markout_1s_sum, 0) AS markout_1s_sum,
         coalesce(f.markout_1s_sum_sq, 0) AS markout_1s_sum_sq,
         coalesce(f.markout_1s_orders, 0) AS markout_1s_orders, coalesce(f.impact_1s_fills, 0) AS impact_1s_fills,
         coalesce(f.impact_1s_shares, 0) AS impact_1s_shares, coalesce(f.impact_1s_shares_sq, 0) AS impact_1s_shares_sq,
         coalesce(f.impact_1s_sum, 0) AS impact_1s_sum, coalesce(f.impact_1s_sum_sq, 0) AS impact_1s_sum_sq,
         coalesce(f.impact_1s_orders, 0) AS impact_1s_orders, coalesce(f.markout_5s_fills, 0) AS markout_5s_fills,
         coalesce(f.markout_5s_shares, 0) AS markout_5s_shares, coalesce(f.markout_5s_shares_sq, 0) AS markout_5s_shares_sq,
         coalesce(f.markout_5s_sum, 0) AS markout_5s_sum, coalesce(f.markout_5s_sum_sq, 0) AS markout_5s_sum_sq,
         coalesce(f.markout_5s_orders, 0) AS markout_5s_orders, coalesce(f.impact_5s_fills, 0) AS impact_5s_fills,
         coalesce(f.impact_5s_shares, 0) AS impact_5s_shares, coalesce(f.impact_5s_shares_sq, 0) AS impact_5s_shares_sq,
         coalesce(f.impact_5s_sum, 0) AS impact_5s_sum, coalesce(f.impact_5s_sum_sq, 0) AS impact_5s_sum_sq,
         coalesce(f.impact_5s_orders, 0) AS impact_5s_orders, coalesce(f.markout_15s_fills, 0) AS markout_15s_fills,
         coalesce(f.markout_15s_shares, 0) AS markout_15s_shares,
         coalesce(f.markout_15s_shares_sq, 0) AS markout_15s_shares_sq, coalesce(f.markout_15s_sum, 0) AS markout_15s_sum,
         coalesce(f.markout_15s_sum_sq, 0) AS markout_15s_sum_sq,
         coalesce(f.markout_15s_orders, 0) AS markout_15s_orders, coalesce(f.impact_15s_fills, 0) AS impact_15s_fills,
         coalesce(f.impact_15s_shares, 0) AS impact_15s_shares, coalesce(f.impact_15s_shares_sq, 0) AS impact_15s_shares_sq,
         coalesce(f.impact_15s_sum, 0) AS impact_15s_sum, coalesce(f.impact_15s_sum_sq, 0) AS impact_15s_sum_sq,
         coalesce(f.impact_15s_orders, 0) AS impact_15s_orders, coalesce(f.realized_15s_fills, 0) AS realized_15s_fills,
         coalesce(f.realized_15s_shares, 0) AS realized_15s_shares,
         coalesce(f.realized_15s_shares_sq, 0) AS realized_15s_shares_sq,
         coalesce(f.realized_15s_sum, 0) AS realized_15s_sum, coalesce(f.realized_15s_sum_sq, 0) AS realized_15s_sum_sq,
         coalesce(f.realized_15s_orders, 0) AS realized_15s_orders, coalesce(f.markout_60s_fills, 0) AS markout_60s_fills,
         coalesce(f.markout_60s_shares, 0) AS markout_60s_shares,
         coalesce(f.markout_60s_shares_sq, 0) AS markout_60s_shares_sq, coalesce(f.markout_60s_sum, 0) AS markout_60s_sum,
         coalesce(f.markout_60s_sum_sq, 0) AS markout_60s_sum_sq,
         coalesce(f.markout_60s_orders, 0) AS markout_60s_orders, coalesce(f.impact_60s_fills, 0) AS impact_60s_fills,
         coalesce(f.impact_60s_shares, 0) AS impact_60s_shares, coalesce(f.impact_60s_shares_sq, 0) AS impact_60s_shares_sq,
         coalesce(f.impact_60s_sum, 0) AS impact_60s_sum, coalesce(f.impact_60s_sum_sq, 0) AS impact_60s_sum_sq,
         coalesce(f.impact_60s_orders, 0) AS impact_60s_orders, coalesce(f.realized_60s_fills, 0) AS realized_60s_fills,
         coalesce(f.realized_60s_shares, 0) AS realized_60s_shares,
         coalesce(f.realized_60s_shares_sq, 0) AS realized_60s_shares_sq,
         coalesce(f.realized_60s_sum, 0) AS realized_60s_sum, coalesce(f.realized_60s_sum_sq, 0) AS realized_60s_sum_sq,
         coalesce(f.realized_60s_orders, 0) AS realized_60s_orders, coalesce(f.markout_300s_fills, 0) AS markout_300s_fills,
         coalesce(f.markout_300s_shares, 0) AS markout_300s_shares,
         coalesce(f.markout_300s_shares_sq, 0) AS markout_300s_shares_sq,
         coalesce(f.markout_300s_sum, 0) AS markout_300s_sum, coalesce(f.markout_300s_sum_sq, 0) AS markout_300s_sum_sq,
         coalesce(f.markout_300s_orders, 0) AS markout_300s_orders, coalesce(f.impact_300s_fills, 0) AS impact_300s_fills,
         coalesce(f.impact_300s_shares, 0) AS impact_300s_shares,
         coalesce(f.impact_300s_shares_sq, 0) AS impact_300s_shares_sq, coalesce(f.impact_300s_sum, 0) AS impact_300s_sum,
         coalesce(f.impact_300s_sum_sq, 0) AS impact_300s_sum_sq,
         coalesce(f.impact_300s_orders, 0) AS impact_300s_orders,
         coalesce(o.orders, 0) AS orders, coalesce(o.shares_ordered, 0) AS shares_ordered,
         coalesce(o.order_fills, 0) AS order_fills, coalesce(o.sor_orders, 0) AS sor_orders,
         coalesce(o.sor_order_fills, 0) AS sor_order_fills, coalesce(o.filled_orders, 0) AS filled_orders,
         coalesce(o.canceled_orders, 0) AS canceled_orders, coalesce(o.limit_orders, 0) AS limit_orders,
         coalesce(o.limit_order_fills, 0) AS limit_order_fills, coalesce(o.limit_shares_ordered, 0) AS limit_shares_ordered,
         coalesce(o.limit_shares_ordered_sq, 0) AS limit_shares_ordered_sq,
         coalesce(o.limit_shares_executed, 0) AS limit_shares_executed,
         coalesce(o.limit_fill_sum_sq, 0) AS limit_fill_sum_sq, coalesce(o.first_fill_orders, 0) AS first_fill_orders,
         coalesce(o.first_fill_order_fills, 0) AS first_fill_order_fills, coalesce(o.first_fill_sum, 0) AS first_fill_sum,
         coalesce(o.first_fill_sum_sq, 0) AS first_fill_sum_sq, coalesce(o.negative_first_fills, 0) AS negative_first_fills,
         coalesce(w.flow_shares, 0) AS flow_shares, coalesce(w.flow_orders, 0) AS flow_orders,
         coalesce(w.pfof_flow_shares, 0) AS pfof_flow_shares, coalesce(w.pfof_usd, 0) AS pfof_usd,
         coalesce(w.affiliated_flow_shares, 0) AS affiliated_flow_shares,
         o.median_first_fill_ms, o.p95_first_fill_ms
  FROM fill_groups f
  FULL JOIN order_percentiles o ON o.group_key = f.group_key
  FULL JOIN flow_groups w ON w.group_key = coalesce(f.group_key, o.group_key)
),
-- Venue shares and HHI: a venue row's flow over its parent row's (same keys, venue '*').
groups_with_venue_split AS (
  SELECT a.*,
         max(CASE WHEN a.venue = '*' THEN a.flow_shares END)
           OVER (PARTITION BY a.source, a.symbol, a.order_category, a.size_bucket, a.sp500) AS parent_flow_shares,
         sum(CASE WHEN a.venue <> '*' THEN a.flow_shares * a.flow_shares ELSE 0 END)
           OVER (PARTITION BY a.source, a.symbol, a.order_category, a.size_bucket, a.sp500) AS flow_shares_sq_by_venue
  FROM all_groups a
),
metric_names AS (
  SELECT metric, applies_to FROM (VALUES
    ('orders', 'order_rows'),
    ('shares_ordered', 'order_rows'),
    ('executions', 'all_rows'),
    ('shares_executed', 'all_rows'),
    ('price_improvement_per_share', 'all_rows'),
    ('pct_shares_price_improved', 'all_rows'),
    ('pct_shares_at_quote', 'all_rows'),
    ('pct_shares_outside_quote', 'all_rows'),
    ('avg_effective_spread', 'all_rows'),
    ('avg_quoted_spread', 'all_rows'),
    ('eq_ratio_pct', 'all_rows'),
    ('spread_capture_pct', 'all_rows'),
    ('pct_effective_spread', 'all_rows'),
    ('pct_quoted_spread', 'all_rows'),
    ('weighted_pct_price_improvement', 'all_rows'),
    ('net_price_improvement_per_share', 'all_rows'),
    ('avg_exec_time_ms', 'all_rows'),
    ('resting_time_to_fill_ms', 'all_rows'),
    ('median_exec_time_ms', 'order_rows'),
    ('p95_exec_time_ms', 'order_rows'),
    ('fill_rate_pct', 'order_rows'),
    ('cancel_rate_pct', 'order_rows'),
    ('limit_fill_rate_pct', 'order_rows'),
    ('markout_1s_per_share', 'all_rows'),
    ('markout_5s_per_share', 'all_rows'),
    ('markout_15s_per_share', 'all_rows'),
    ('realized_spread_15s', 'all_rows'),
    ('markout_60s_per_share', 'all_rows'),
    ('realized_spread_60s', 'all_rows'),
    ('markout_300s_per_share', 'all_rows'),
    ('price_impact_1s_per_share', 'all_rows'),
    ('price_impact_5s_per_share', 'all_rows'),
    ('price_impact_15s_per_share', 'all_rows'),
    ('price_impact_60s_per_share', 'all_rows'),
    ('price_impact_300s_per_share', 'all_rows'),
    ('venue_share_pct', 'venue_rows'),
    ('pfof_venue_share_pct', 'order_rows'),
    ('pfof_venue_share_executed_pct', 'order_rows'),
    ('affiliated_venue_share_pct', 'order_rows'),
    ('venue_hhi', 'venue_split_rows'),
    ('pfof_received_usd', 'all_rows'),
    ('order_flow_payments_usd', 'all_rows')
  ) AS t (metric, applies_to)
),
-- One row per group and metric with the weighted moments behind it (NULL where a spread is not
-- meaningful), its counts and its exclusions by reason.
metric_moments AS (
  SELECT g.source, g.symbol, g.order_category, g.venue, g.size_bucket, g.sp500, m.metric,
         CASE
           WHEN m.metric = 'orders' THEN CAST(g.orders AS DOUBLE)
           WHEN m.metric = 'shares_ordered' THEN CAST(g.shares_ordered AS DOUBLE)
           WHEN m.metric = 'executions' THEN CAST(g.fills AS DOUBLE)
           WHEN m.metric = 'shares_executed' THEN CAST(g.shares_executed AS DOUBLE)
           WHEN m.metric = 'eq_ratio_pct' THEN 100 * g.effective_sum / nullif(g.quoted_sum, 0)
           WHEN m.metric = 'spread_capture_pct' THEN 100 - 100 * g.effective_sum / nullif(g.quoted_sum, 0)
           WHEN m.metric = 'median_exec_time_ms' THEN g.median_first_fill_ms
           WHEN m.metric = 'p95_exec_time_ms' THEN g.p95_first_fill_ms
           WHEN m.metric = 'venue_share_pct' THEN 100 * g.flow_shares / nullif(g.parent_flow_shares, 0)
           WHEN m.metric = 'pfof_venue_share_pct' THEN 100 * g.pfof_flow_shares / nullif(g.flow_shares, 0)
           WHEN m.metric = 'pfof_venue_share_executed_pct' THEN 100 * g.pfof_shares_executed / nullif(g.sor_shares_executed, 0)
           WHEN m.metric = 'affiliated_venue_share_pct' THEN 100 * g.affiliated_flow_shares / nullif(g.flow_shares, 0)
           WHEN m.metric = 'venue_hhi' THEN 10000 * g.flow_shares_sq_by_venue / nullif(g.flow_shares * g.flow_shares, 0)
           WHEN m.metric = 'pfof_received_usd' THEN g.pfof_usd
           WHEN m.metric = 'order_flow_payments_usd' THEN g.pfof_usd + g.rebates_usd
         END AS direct_value,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread',
                             'net_price_improvement_per_share') THEN g.covered_shares
           WHEN m.metric IN ('pct_effective_spread', 'pct_quoted_spread', 'weighted_pct_price_improvement') THEN g.mid_notional
           WHEN m.metric = 'avg_exec_time_ms' THEN g.timed_shares
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_shares
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN CAST(g.first_fill_orders AS DOUBLE)
           WHEN m.metric IN ('fill_rate_pct', 'cancel_rate_pct') THEN CAST(g.sor_orders AS DOUBLE)
           WHEN m.metric = 'limit_fill_rate_pct' THEN g.limit_shares_ordered
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_shares
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_shares
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_shares
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_shares
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_shares
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_shares
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_shares
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_shares
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_shares
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_shares
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_shares
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_shares
         END AS weight,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread',
                             'net_price_improvement_per_share') THEN g.covered_shares_sq
           WHEN m.metric IN ('pct_effective_spread', 'pct_quoted_spread', 'weighted_pct_price_improvement') THEN g.mid_notional_sq
           WHEN m.metric = 'avg_exec_time_ms' THEN g.timed_shares_sq
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_shares_sq
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN CAST(g.first_fill_orders AS DOUBLE)
           WHEN m.metric IN ('fill_rate_pct', 'cancel_rate_pct') THEN CAST(g.sor_orders AS DOUBLE)
           WHEN m.metric = 'limit_fill_rate_pct' THEN g.limit_shares_ordered_sq
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_shares_sq
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_shares_sq
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_shares_sq
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_shares_sq
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_shares_sq
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_shares_sq
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_shares_sq
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_shares_sq
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_shares_sq
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_shares_sq
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_shares_sq
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_shares_sq
         END AS weight_sq,
         CASE
           WHEN m.metric = 'price_improvement_per_share' THEN g.pi_sum
           WHEN m.metric = 'pct_shares_price_improved' THEN 100 * g.improved_shares
           WHEN m.metric = 'pct_shares_at_quote' THEN 100 * g.at_quote_shares
           WHEN m.metric = 'pct_shares_outside_quote' THEN 100 * g.outside_quote_shares
           WHEN m.metric = 'avg_effective_spread' THEN g.effective_sum
           WHEN m.metric = 'avg_quoted_spread' THEN g.quoted_sum
           WHEN m.metric = 'pct_effective_spread' THEN 100 * g.effective_sum
           WHEN m.metric = 'pct_quoted_spread' THEN 100 * g.quoted_sum
           WHEN m.metric = 'weighted_pct_price_improvement' THEN 100 * g.pi_sum
           WHEN m.metric = 'net_price_improvement_per_share' THEN g.net_pi_sum
           WHEN m.metric = 'avg_exec_time_ms' THEN g.exec_ms_sum
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_ms_sum
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN g.first_fill_sum
           WHEN m.metric = 'fill_rate_pct' THEN 100 * CAST(g.filled_orders AS DOUBLE)
           WHEN m.metric = 'cancel_rate_pct' THEN 100 * CAST(g.canceled_orders AS DOUBLE)
           WHEN m.metric = 'limit_fill_rate_pct' THEN 100 * g.limit_shares_executed
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_sum
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_sum
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_sum
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_sum
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_sum
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_sum
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_sum
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_sum
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_sum
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_sum
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_sum
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_sum
         END AS weighted_sum,
         CASE
           WHEN m.metric = 'price_improvement_per_share' THEN g.pi_sum_sq
           WHEN m.metric = 'pct_shares_price_improved' THEN 10000 * g.improved_shares
           WHEN m.metric = 'pct_shares_at_quote' THEN 10000 * g.at_quote_shares
           WHEN m.metric = 'pct_shares_outside_quote' THEN 10000 * g.outside_quote_shares
           WHEN m.metric = 'avg_effective_spread' THEN g.effective_sum_sq
           WHEN m.metric = 'avg_quoted_spread' THEN g.quoted_sum_sq
           WHEN m.metric = 'pct_effective_spread' THEN 10000 * g.effective_pct_sum_sq
           WHEN m.metric = 'pct_quoted_spread' THEN 10000 * g.quoted_pct_sum_sq
           WHEN m.metric = 'weighted_pct_price_improvement' THEN 10000 * g.pi_pct_sum_sq
           WHEN m.metric = 'net_price_improvement_per_share' THEN g.net_pi_sum_sq
           WHEN m.metric = 'avg_exec_time_ms' THEN g.exec_ms_sum_sq
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_ms_sum_sq
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN g.first_fill_sum_sq
           WHEN m.metric = 'fill_rate_pct' THEN 10000 * CAST(g.filled_orders AS DOUBLE)
           WHEN m.metric = 'cancel_rate_pct' THEN 10000 * CAST(g.canceled_orders AS DOUBLE)
           WHEN m.metric = 'limit_fill_rate_pct' THEN 10000 * g.limit_fill_sum_sq
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_sum_sq
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_sum_sq
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_sum_sq
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_sum_sq
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_sum_sq
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_sum_sq
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_sum_sq
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_sum_sq
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_sum_sq
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_sum_sq
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_sum_sq
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_sum_sq
         END AS weighted_sum_sq,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered') THEN g.orders
           WHEN m.metric IN ('executions', 'shares_executed') THEN g.fill_orders
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement', 'net_price_improvement_per_share') THEN g.covered_orders
           WHEN m.metric = 'avg_exec_time_ms' THEN g.timed_orders
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_orders
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN g.first_fill_orders
           WHEN m.metric IN ('fill_rate_pct', 'cancel_rate_pct') THEN g.sor_orders
           WHEN m.metric = 'limit_fill_rate_pct' THEN g.limit_orders
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_orders
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_orders
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_orders
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_orders
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_orders
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_orders
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_orders
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_orders
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_orders
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_orders
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_orders
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_orders
           WHEN m.metric IN ('venue_share_pct', 'pfof_venue_share_pct', 'affiliated_venue_share_pct', 'venue_hhi',
                             'pfof_received_usd', 'order_flow_payments_usd') THEN g.flow_orders
           WHEN m.metric = 'pfof_venue_share_executed_pct' THEN g.sor_fill_orders
         END AS n_orders,
         CASE
           WHEN m.metric IN ('orders', 'shares_ordered') THEN g.order_fills
           WHEN m.metric IN ('executions', 'shares_executed', 'venue_share_pct', 'pfof_venue_share_pct',
                             'affiliated_venue_share_pct', 'venue_hhi', 'pfof_received_usd', 'order_flow_payments_usd') THEN g.fills
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement', 'net_price_improvement_per_share') THEN g.covered_fills
           WHEN m.metric = 'avg_exec_time_ms' THEN g.timed_fills
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.resting_fills
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN g.first_fill_order_fills
           WHEN m.metric IN ('fill_rate_pct', 'cancel_rate_pct') THEN g.sor_order_fills
           WHEN m.metric = 'limit_fill_rate_pct' THEN g.limit_order_fills
           WHEN m.metric = 'markout_1s_per_share' THEN g.markout_1s_fills
           WHEN m.metric = 'markout_5s_per_share' THEN g.markout_5s_fills
           WHEN m.metric = 'markout_15s_per_share' THEN g.markout_15s_fills
           WHEN m.metric = 'realized_spread_15s' THEN g.realized_15s_fills
           WHEN m.metric = 'markout_60s_per_share' THEN g.markout_60s_fills
           WHEN m.metric = 'realized_spread_60s' THEN g.realized_60s_fills
           WHEN m.metric = 'markout_300s_per_share' THEN g.markout_300s_fills
           WHEN m.metric = 'price_impact_1s_per_share' THEN g.impact_1s_fills
           WHEN m.metric = 'price_impact_5s_per_share' THEN g.impact_5s_fills
           WHEN m.metric = 'price_impact_15s_per_share' THEN g.impact_15s_fills
           WHEN m.metric = 'price_impact_60s_per_share' THEN g.impact_60s_fills
           WHEN m.metric = 'price_impact_300s_per_share' THEN g.impact_300s_fills
           WHEN m.metric = 'pfof_venue_share_executed_pct' THEN g.sor_fills
         END AS n_executions,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement', 'net_price_improvement_per_share') THEN g.covered_excl_no_nbbo
           ELSE 0
         END AS excl_no_nbbo,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement', 'net_price_improvement_per_share') THEN g.covered_excl_stale
           ELSE 0
         END AS excl_stale_nbbo,
         CASE
           WHEN m.metric IN ('price_improvement_per_share', 'pct_shares_price_improved', 'pct_shares_at_quote',
                             'pct_shares_outside_quote', 'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct',
                             'spread_capture_pct', 'pct_effective_spread', 'pct_quoted_spread',
                             'weighted_pct_price_improvement', 'net_price_improvement_per_share') THEN g.covered_excl_crossed
           ELSE 0
         END AS excl_crossed_or_locked_nbbo,
         CASE
           WHEN m.metric = 'avg_exec_time_ms' THEN g.negative_exec_times
           WHEN m.metric = 'resting_time_to_fill_ms' THEN g.negative_resting_times
           WHEN m.metric IN ('median_exec_time_ms', 'p95_exec_time_ms') THEN g.negative_first_fills
           ELSE 0
         END AS excl_negative_exec_time,
         CASE
           WHEN m.metric IN ('executions', 'shares_executed', 'price_improvement_per_share',
                             'pct_shares_price_improved', 'pct_shares_at_quote', 'pct_shares_outside_quote',
                             'avg_effective_spread', 'avg_quoted_spread', 'eq_ratio_pct', 'spread_capture_pct',
                             'pct_effective_spread', 'pct_quoted_spread', 'weighted_pct_price_improvement',
                             'net_price_improvement_per_share', 'avg_exec_time_ms', 'resting_time_to_fill_ms',
                             'markout_1s_per_share', 'markout_5s_per_share', 'markout_15s_per_share',
                             'realized_spread_15s', 'markout_60s_per_share', 'realized_spread_60s',
                             'markout_300s_per_share', 'price_impact_1s_per_share', 'price_impact_5s_per_share',
                             'price_impact_15s_per_share', 'price_impact_60s_per_share', 'price_impact_300s_per_share',
                             'venue_share_pct', 'pfof_venue_share_pct', 'pfof_venue_share_executed_pct',
                             'affiliated_venue_share_pct', 'venue_hhi', 'pfof_received_usd', 'order_flow_payments_usd') THEN g.orphan_fills
           ELSE 0
         END AS excl_orphan_execution
  FROM groups_with_venue_split g
  CROSS JOIN metric_names m
  WHERE m.applies_to = 'all_rows'
     OR (m.applies_to = 'order_rows' AND g.venue = '*')
     OR (m.applies_to = 'venue_rows' AND g.venue <> '*')
     OR (m.applies_to = 'venue_split_rows' AND g.venue = '*' AND g.symbol = '*' AND g.size_bucket = '*')
),
metric_values AS (
  SELECT mm.*,
         coalesce(direct_value, weighted_sum / nullif(weight, 0)) AS value,
         CASE WHEN weight > 0 THEN weight * weight / weight_sq END AS n_eff,
         -- Σw·x² − (Σw·x)²/Σw cancels: below 1e-12 of Σw·x² it is rounding noise of equal values, not spread.
         CASE WHEN weight > 0 AND weight - weight_sq / weight > 0
              THEN CASE WHEN weighted_sum_sq - weighted_sum * weighted_sum / weight <= 1e-12 * abs(weighted_sum_sq) THEN 0
                        ELSE sqrt((weighted_sum_sq - weighted_sum * weighted_sum / weight) / (weight - weight_sq / weight)) END
              END AS std_dev
  FROM metric_moments mm
)
SELECT p.period, v.source, v.symbol, v.order_category, v.venue, v.size_bucket, v.sp500, v.metric, v.value,
       CAST(v.n_orders AS BIGINT) AS n_orders, CAST(v.n_executions AS BIGINT) AS n_executions,
       v.std_dev, v.n_eff,
       CAST(v.excl_no_nbbo AS BIGINT) AS excl_no_nbbo, CAST(v.excl_stale_nbbo AS BIGINT) AS excl_stale_nbbo,
       CAST(v.excl_crossed_or_locked_nbbo AS BIGINT) AS excl_crossed_or_locked_nbbo,
       CAST(v.excl_negative_exec_time AS BIGINT) AS excl_negative_exec_time,
       CAST(v.excl_orphan_execution AS BIGINT) AS excl_orphan_execution
FROM metric_values v
CROSS JOIN params p
WHERE v.value IS NOT NULL
   OR v.excl_no_nbbo + v.excl_stale_nbbo + v.excl_crossed_or_locked_nbbo + v.excl_negative_exec_time + v.excl_orphan_execution > 0
ORDER BY v.source, v.symbol, v.order_category, v.venue, v.size_bucket, v.sp500, v.metric
