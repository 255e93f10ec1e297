/**
 * The operational metrics the functions emit (CloudWatch embedded metric format, through
 * lambdas/adapters/powertools.ts) and the dashboard graphs (lib/constructs/dashboard.ts): one list,
 * so a metric cannot be renamed on one side only. Plain data: the CDK app imports it without
 * loading Powertools.
 *
 * Dimension values are our own vocabulary (source slugs, dataset names, exception kinds), never
 * vendor bytes: a value that is not a valid slug or name is reported as `unrecognised`.
 */
import { DROP_DATASETS, SOURCE_PATTERN } from './schema';

export const METRICS_NAMESPACE = 'bestex';

/** The service dimension Powertools adds to every metric: `bestex-<function folder>`. */
export const serviceOf = (fn: TelemetryFunction): string => `bestex-${fn}`;

export type TelemetryFunction = 'normalise' | 'evaluate' | 'exceptions';

export interface MetricSpec {
  readonly name: string;
  readonly fn: TelemetryFunction;
  /** Dimensions besides `service`, in the order the dashboard's SEARCH schema names them. */
  readonly dimensions: readonly string[];
  /** What one data point is, for the dashboard's widget title. */
  readonly title: string;
}

const ingest = (name: string, title: string): MetricSpec => ({ name, fn: 'normalise', dimensions: ['source', 'dataset'], title });

/** Every metric, by the key the handlers use. */
export const METRICS = {
  rowsRead: ingest('RowsRead', 'Rows read per source and dataset'),
  rowsWritten: ingest('RowsWritten', 'Rows written to the lake per source and dataset'),
  rowsRejected: ingest('RowsRejected', 'Rows rejected (quarantined) per source and dataset'),
  rowsDuplicate: ingest('RowsDuplicate', 'Duplicate rows dropped per source and dataset'),
  filesRejected: ingest('FilesRejected', 'Whole files rejected per source and dataset'),
  findings: { name: 'Findings', fn: 'evaluate', dimensions: [], title: 'Breached findings per review' },
  breaches: { name: 'Breaches', fn: 'evaluate', dimensions: ['source'], title: 'Breached rule groups per review and source' },
  exceptions: { name: 'Exceptions', fn: 'exceptions', dimensions: ['source', 'kind'], title: 'Daily exceptions per source and kind' },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;

const SOURCE = new RegExp(`^${SOURCE_PATTERN}$`);
const KNOWN_DATASETS: ReadonlySet<string> = new Set(DROP_DATASETS);

/** A source slug as a dimension value: a slug, or `unrecognised` (a file under a key we could not read). */
export const sourceDimension = (source: string): string => (SOURCE.test(source) ? source : 'unrecognised');

/** A dataset name as a dimension value. */
export const datasetDimension = (dataset: string): string => (KNOWN_DATASETS.has(dataset) ? dataset : 'unrecognised');
