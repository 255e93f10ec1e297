/** The JSON lines a handler logged (log and EMF alike), as its log group would receive them. */
export type LoggedRecord = Record<string, unknown> & {
  _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
};

export function loggedRecords(chunks: readonly string[]): LoggedRecord[] {
  return chunks
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LoggedRecord);
}
