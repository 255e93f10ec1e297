/**
 * Charts as inline SVG, rendered server-side by ECharts (no browser, no script in the report), so
 * the HTML file is self-contained and prints the same in a PDF.
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { fmtUnit, usdPerShare } from './format';

use([BarChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, SVGRenderer]);

export const COLORS = {
  navy: '#1f3a5f',
  blue: '#4a7fb5',
  sky: '#9cc3e6',
  grey: '#8c8c8c',
  pfof: '#d9822b',
  red: '#b3261e',
  green: '#2e7d32',
} as const;

const FONT = 'Helvetica, Arial, sans-serif';

export interface ChartSize {
  width: number;
  height: number;
}

/** Renders one ECharts option to an SVG string; animation off so the first frame is the final one. */
export function renderChart(option: EChartsCoreOption, size: ChartSize): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Rounds up to a quarter of the value's power of ten, so the axis ends on a readable tick. */
function niceCeil(x: number): number {
  if (x <= 0) return 0;
  const mag = 10 ** Math.floor(Math.log10(x));
  return (Math.ceil((x / mag) * 4) / 4) * mag;
}

const axisLabelUsd = { formatter: (v: number) => usdPerShare(v).replace('/share', '') };

export interface VenueBar {
  venue: string;
  share: number;
  pfof: boolean;
}

/** Share of volume per venue, PFOF venues in a warning colour and labelled. */
export function venueShareChart(venues: readonly VenueBar[], width = 680): string {
  const rows = [...venues].reverse(); // ECharts draws category axes bottom-up.
  return renderChart(
    {
      grid: { left: 90, right: 70, top: 30, bottom: 30 },
      legend: { top: 0, data: ['Pays for order flow (PFOF)', 'No PFOF'] },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'category', data: rows.map((v) => v.venue) },
      series: [
        {
          name: 'Pays for order flow (PFOF)',
          type: 'bar',
          stack: 'share',
          itemStyle: { color: COLORS.pfof },
          label: { show: true, position: 'right', formatter: (p: { value: number }) => (p.value ? `${p.value.toFixed(1)} % PFOF` : '') },
          data: rows.map((v) => (v.pfof ? v.share : 0)),
        },
        {
          name: 'No PFOF',
          type: 'bar',
          stack: 'share',
          itemStyle: { color: COLORS.navy },
          label: { show: true, position: 'right', formatter: (p: { value: number }) => (p.value ? `${p.value.toFixed(1)} %` : '') },
          data: rows.map((v) => (v.pfof ? 0 : v.share)),
        },
      ],
    },
    { width, height: Math.max(140, 60 + rows.length * 26) },
  );
}

export interface LatencyGroup {
  label: string;
  avg: number | null;
  median: number | null;
  p95: number | null;
}

/** Average, median and 95th percentile time to fill per order category. */
export function latencyChart(groups: readonly LatencyGroup[], width = 680): string {
  return renderChart(
    {
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      legend: { top: 0, data: ['Average', 'Median', '95th percentile'] },
      xAxis: { type: 'category', data: groups.map((g) => g.label) },
      yAxis: { type: 'value', name: 'ms', axisLabel: { formatter: '{value} ms' } },
      series: [
        { name: 'Average', type: 'bar', itemStyle: { color: COLORS.navy }, data: groups.map((g) => g.avg) },
        { name: 'Median', type: 'bar', itemStyle: { color: COLORS.sky }, data: groups.map((g) => g.median) },
        { name: '95th percentile', type: 'bar', itemStyle: { color: COLORS.grey }, data: groups.map((g) => g.p95) },
      ],
    },
    { width, height: 260 },
  );
}

export interface MarkoutSeries {
  label: string;
  values: readonly (number | null)[];
}

export const MARKOUT_HORIZONS = ['1 s', '5 s', '15 s', '60 s', '300 s'] as const;

/** Markout curves: how the mid moved after the fills, per order category ($/share, > 0 = in the trade's favour). */
export function markoutChart(series: readonly MarkoutSeries[], width = 680): string {
  const palette = [COLORS.navy, COLORS.blue, COLORS.grey, COLORS.pfof, COLORS.green];
  return renderChart(
    {
      grid: { left: 90, right: 20, top: 40, bottom: 40 },
      legend: { top: 0, data: series.map((s) => s.label) },
      xAxis: { type: 'category', data: [...MARKOUT_HORIZONS], name: 'after fill', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', axisLabel: axisLabelUsd },
      series: series.map((s, i) => ({
        name: s.label,
        type: 'line',
        symbolSize: 7,
        connectNulls: false,
        lineStyle: { width: 2.5 },
        itemStyle: { color: palette[i % palette.length] },
        data: [...s.values],
        ...(i === 0
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                precision: 6,
                lineStyle: { color: '#999', type: 'dashed' },
                label: { show: false },
                data: [{ yAxis: 0 }],
              },
            }
          : {}),
      })),
    },
    { width, height: 260 },
  );
}

export interface SecurityBars {
  symbols: readonly string[];
  series: readonly { label: string; values: readonly (number | null)[] }[];
  benchmark?: number | null;
}

/** Price improvement per share by security and order category, with the benchmark as a line. */
export function securityPiChart(data: SecurityBars, width = 680): string {
  const palette = [COLORS.navy, COLORS.sky, COLORS.grey];
  const bench = data.benchmark;
  return renderChart(
    {
      grid: { left: 90, right: 20, top: 40, bottom: 50 },
      legend: { top: 0, data: data.series.map((s) => s.label) },
      xAxis: { type: 'category', data: [...data.symbols], axisLabel: { interval: 0, rotate: data.symbols.length > 10 ? 45 : 0 } },
      yAxis: {
        type: 'value',
        axisLabel: axisLabelUsd,
        // Keep the benchmark line on the chart even when every bar is below (or above) it.
        ...(typeof bench === 'number'
          ? {
              max: (v: { max: number }) => niceCeil(Math.max(v.max, bench) * 1.1),
              min: (v: { min: number }) => -niceCeil(-Math.min(v.min, 0, bench)),
            }
          : {}),
      },
      series: data.series.map((s, i) => ({
        name: s.label,
        type: 'bar',
        itemStyle: { color: palette[i % palette.length] },
        data: [...s.values],
        ...(i === 0 && typeof bench === 'number'
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                // The default precision (2 decimals) would round a sub-penny benchmark to zero.
                precision: 6,
                lineStyle: { color: COLORS.red, type: 'dashed', width: 2 },
                label: { formatter: `benchmark ${usdPerShare(bench)}`, position: 'insideEndTop', color: COLORS.red },
                data: [{ yAxis: bench }],
              },
            }
          : {}),
      })),
    },
    { width, height: 280 },
  );
}

export interface GroupComparison {
  /** One category per order type (or symbol). */
  groups: readonly string[];
  /** The router first, then its peers: one value per group. */
  series: readonly { label: string; values: readonly (number | null)[] }[];
  /** The benchmark of each group (null: none), drawn as a red bar-wide tick over the group. */
  benchmarks?: readonly (number | null)[];
  /** Groups that breached: their category label is marked. */
  breached?: readonly boolean[];
  unit: string;
  /** Log scale (speed: 50 ms and 40,000 ms on one chart). Values must be > 0. */
  log?: boolean;
}

/**
 * The router beside its peers per order type, with each group's own benchmark as a red tick: what
 * breached is visible at its own scale (a log axis for times).
 */
export function groupComparisonChart(d: GroupComparison, width = 760): string {
  const palette = [COLORS.navy, COLORS.sky, COLORS.grey, COLORS.green, COLORS.blue];
  const label = (v: number) => fmtUnit(d.unit, v).replace('/share', '');
  const positive = (v: number | null) => (d.log && (v === null || v <= 0) ? null : v);
  const benchmarks = d.benchmarks ?? [];
  const hasBench = benchmarks.some((b) => b !== null);
  const names = [...d.series.map((s) => s.label), ...(hasBench ? ['Benchmark'] : [])];
  return renderChart(
    {
      // Legend on its own row above the plot, wrapped by ECharts within the width: never clipped.
      legend: { top: 0, left: 'center', width: width - 40, data: names, itemGap: 30 },
      grid: { left: 96, right: 24, top: 34 + 22 * Math.ceil(names.join('').length / 70), bottom: 40 },
      xAxis: {
        type: 'category',
        data: d.groups.map((g, i) => (d.breached?.[i] ? `▲ ${g}` : g)),
        axisLabel: { interval: 0, fontSize: 12 },
      },
      yAxis: d.log
        ? { type: 'log', logBase: 10, axisLabel: { formatter: label } }
        : { type: 'value', axisLabel: { formatter: label }, scale: false },
      series: [
        ...d.series.map((s, i) => ({
          name: s.label,
          type: 'bar',
          barMaxWidth: 34,
          itemStyle: { color: palette[i % palette.length] },
          label: { show: i === 0, position: 'top', fontSize: 10, formatter: (p: { value: number }) => label(p.value) },
          data: s.values.map(positive),
        })),
        ...(hasBench
          ? [
              {
                name: 'Benchmark',
                type: 'scatter',
                symbol: 'rect',
                symbolSize: [Math.min(140, (width - 140) / Math.max(1, d.groups.length) - 24), 3],
                itemStyle: { color: COLORS.red },
                z: 5,
                data: benchmarks.map(positive),
              },
            ]
          : []),
      ],
    },
    { width, height: 300 },
  );
}
