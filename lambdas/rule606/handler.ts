/**
 * Rule606 Lambda: the quarter's Rule 606(a)(1) report from the RunRule606Queries results, validated
 * against the SEC schema (xmllint-wasm) and written to the results bucket.
 */
import { bucket, s3Client } from '../adapters/aws';
import { powertools } from '../adapters/powertools';
import { loadConfig } from '../shared/config';
import { rule606InputSchema } from '../shared/contracts/states';
import { writeRule606 } from './run';

const { logger, wrap } = powertools('rule606');

export const handler = wrap('the Rule606 input is not valid', rule606InputSchema, async (event) => {
  const { firm } = loadConfig().deployment;
  if (!firm) throw new Error('config/bestex.json has no "firm" section: the Rule 606 report needs the firm\'s name (docs/regulatory.md)');
  const result = await writeRule606(event, { s3: s3Client(), resultsBucket: bucket('results'), firm, now: new Date() });
  logger.info('rule 606 report written', { period: result.period, months: result.months, keys: result.keys });
  return result;
});
