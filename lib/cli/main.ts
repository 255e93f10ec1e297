/**
 * `bestex`: one CLI for the oversight cycle. Every command runs against the embedded local
 * runtime under --home (default ./.bestex, or BESTEX_HOME).
 */
import '../polyfills';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { demoCommand } from './commands/demo';
import { dropCommand } from './commands/drop';
import { queryCommand } from './commands/query';
import { reviewCommand } from './commands/review';
import { serveCommand } from './commands/serve';

export interface GlobalOptions {
  home: string;
  json: boolean;
  config?: string;
}

const program = new Command('bestex')
  .description('Independent best-execution oversight of a third-party smart order router')
  .addOption(new Option('--home <dir>', 'folder holding all local state').env('BESTEX_HOME').default('.bestex'))
  .option('--config <dir>', 'configuration folder (default: the repository config/)')
  .option('--json', 'machine-readable output on stdout', false)
  .showHelpAfterError();

export function globals(): GlobalOptions {
  const o = program.opts<{ home: string; json: boolean; config?: string }>();
  return { home: resolve(o.home), json: o.json, ...(o.config ? { config: resolve(o.config) } : {}) };
}

program
  .command('demo')
  .description('generate a seeded synthetic quarter for two vendors, drop it, run the review and print the breaches')
  .option('--period <period>', 'quarter to generate', '2026Q3')
  .option('--seed <n>', 'random seed', '20260701')
  .action((o: { period: string; seed: string }) => demoCommand(globals(), { period: o.period, seed: Number(o.seed) }));

program
  .command('drop <dir>')
  .description('upload every file under <dir> (<dir>/<source>/<dataset>/<file>) to the drop bucket and wait for each to load')
  .action((dir: string) => dropCommand(globals(), resolve(dir)));

program
  .command('serve')
  .description('keep a local S3 endpoint running; every object dropped is processed as it lands')
  .option('--port <port>', 'port to listen on', '4568')
  .action((o: { port: string }) => serveCommand(globals(), Number(o.port)));

program
  .command('review')
  .description('run the review state machine locally for a period')
  .requiredOption('--period <period>', 'quarter (2026Q3) or month (2026-07)')
  .option('--dry-run', 'write outputs under dry-run/, notify no one, open no case', false)
  .option('--thresholds <file>', 'try another threshold rules file')
  .action((o: { period: string; dryRun: boolean; thresholds?: string }) =>
    reviewCommand(globals(), { period: o.period, dryRun: o.dryRun, ...(o.thresholds ? { thresholds: resolve(o.thresholds) } : {}) }),
  );

program
  .command('query <sql>')
  .description('run Athena SQL over the local lake and review results')
  .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
  .action((sql: string, o: { format: 'table' | 'csv' | 'json' }) => queryCommand(globals(), sql, o.format));

program.parseAsync().catch((e: Error) => {
  process.stderr.write(`bestex: ${e.message}\n`);
  process.exitCode = 1;
});
