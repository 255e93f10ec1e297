import { bucket, s3Client } from '../adapters/aws';
import { loadConfig } from '../shared/config';
import { type Rule606Event, type Rule606Result, writeRule606 } from './run';

export const handler = async (event: Rule606Event): Promise<Rule606Result> => {
  const { firm } = loadConfig().deployment;
  if (!firm) throw new Error('config/bestex.json has no "firm" section: the Rule 606 report needs the firm\'s name (docs/regulatory.md)');
  return writeRule606(event, { s3: s3Client(), resultsBucket: bucket('results'), firm, now: new Date() });
};
