/**
 * `bestex`: one CLI for the oversight cycle, on the embedded local runtime under --home (default
 * ./.bestex, or BESTEX_HOME) or on a deployed stack (--target aws). Commands are imported when
 * they run, so `--help` answers at once.
 */
import '../polyfills';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { GlobalOptions } from './support/options';

const program = new Command('bestex')
  .description('Independent best-execution oversight of a third-party smart order router')
  .addOption(
    new Option('--target <target>', 'where commands run: the local runtime or the deployed stack')
      .choices(['local', 'aws'])
      .env('BESTEX_TARGET')
      .default('local'),
  )
  .addOption(new Option('--home <dir>', 'folder holding all local state (and fetched AWS packages)').env('BESTEX_HOME').default('.bestex'))
  .option('--config <dir>', 'configuration folder (default: the repository config/)')
  .addOption(new Option('--region <region>', 'AWS region of the stack (default: "region" in config/bestex.json)'))
  .addOption(new Option('--stack <name>', 'CloudFormation stack name (default: "stackName" in config/bestex.json)'))
  .addOption(
    new Option('--outputs <file>', 'stack outputs file (`cdk deploy --outputs-file`) instead of DescribeStacks').env(
      'BESTEX_STACK_OUTPUTS',
    ),
  )
  .option('--json', 'machine-readable output on stdout', false)
  .option('--verbose', 'show stack traces of unexpected errors', false)
  .showHelpAfterError();

export function globals(): GlobalOptions {
  const o = program.opts<GlobalOptions>();
  return {
    home: resolve(o.home),
    json: o.json,
    target: o.target,
    verbose: o.verbose,
    ...(o.config ? { config: resolve(o.config) } : {}),
    ...(o.region ? { region: o.region } : {}),
    ...(o.stack ? { stack: o.stack } : {}),
    ...(o.outputs ? { outputs: resolve(o.outputs) } : {}),
  };
}

const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number of seconds, got "${v}"`);
  return n;
};

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

program
  .command('demo')
  .description('(local) generate a seeded synthetic quarter for two vendors, drop it, run the review and print the breaches')
  .option('--period <period>', 'quarter to generate', '2026Q3')
  .option('--seed <n>', 'random seed', '20260701')
  .action(async (o: { period: string; seed: string }) => {
    const { demoCommand } = await import('./commands/demo');
    await demoCommand(globals(), { period: o.period, seed: Number(o.seed) });
  });

program
  .command('drop <dir>')
  .description(
    'upload every file under <dir> (<dir>/<source>/<dataset>/<file>) to the drop bucket and wait until each is loaded or quarantined',
  )
  .option('--timeout <seconds>', '(aws) how long to wait for the load manifests', seconds, 900)
  .action(async (dir: string, o: { timeout: number }) => {
    const { dropCommand } = await import('./commands/drop');
    await dropCommand(globals(), resolve(dir), { timeout: o.timeout });
  });

program
  .command('serve')
  .description('(local) keep a local S3 endpoint running; every object dropped is processed as it lands')
  .option('--port <port>', 'port to listen on', '4568')
  .action(async (o: { port: string }) => {
    const { serveCommand } = await import('./commands/serve');
    await serveCommand(globals(), Number(o.port));
  });

program
  .command('review')
  .description('run the review state machine for a period (locally, or an execution on AWS followed to its end)')
  .requiredOption('--period <period>', 'quarter (2026Q3) or month (2026-07)')
  .option('--dry-run', 'write outputs under dry-run/, notify no one, open no case', false)
  .option('--thresholds <file>', 'try another threshold rules file (validated first; on AWS staged in the results bucket)')
  .option('--source <source>', 'review only this source (repeatable)', collect)
  .option('--timeout <seconds>', '(aws) how long to follow the execution', seconds, 3600)
  .action(async (o: { period: string; dryRun: boolean; thresholds?: string; source?: string[]; timeout: number }) => {
    const { reviewCommand } = await import('./commands/review');
    await reviewCommand(globals(), {
      period: o.period,
      dryRun: o.dryRun,
      timeout: o.timeout,
      ...(o.thresholds ? { thresholds: resolve(o.thresholds) } : {}),
      ...(o.source ? { sources: o.source } : {}),
    });
  });

program
  .command('exceptions')
  .description("the daily exceptions of a trade date (the exceptions state machine): counts by kind and source, the day's CSV and report")
  .requiredOption('--date <date>', 'trade date, YYYY-MM-DD')
  .option('--dry-run', 'write nothing, notify no one', false)
  .option('--timeout <seconds>', '(aws) how long to follow the execution', seconds, 3600)
  .action(async (o: { date: string; dryRun: boolean; timeout: number }) => {
    const { exceptionsCommand } = await import('./commands/exceptions');
    await exceptionsCommand(globals(), o);
  });

program
  .command('enrich')
  .description('compute order_figures and execution_figures of a trade date (local lake; reviews do this for missing or stale dates)')
  .requiredOption('--date <date>', 'trade date, YYYY-MM-DD')
  .option('--source <source>', 'one source (default: every configured source)')
  .option('--form <form>', 'as-of form: duckdb (ASOF JOIN, default) or trino (the Athena engine v3 window form)')
  .action(async (o: { date: string; source?: string; form?: 'trino' | 'duckdb' }) => {
    const { enrichCommand } = await import('./commands/enrich');
    await enrichCommand(globals(), o);
  });

const report = program
  .command('report')
  .description('the regulatory files from the lake, validated against the SEC schema/metadata (non-zero exit when invalid)');
report
  .command('rule606')
  .description('Rule 606(a)(1) quarterly order-routing report: XML (validated against oh-20191231.xsd), HTML and PDF')
  .requiredOption('--period <quarter>', 'quarter, e.g. 2026Q3')
  .option('--out <dir>', 'destination (default: <home>/reports/rule606/<period>)')
  .action(async (o: { period: string; out?: string }) => {
    const { reportCommand } = await import('./commands/report');
    await reportCommand(globals(), 'rule606', o.period, o.out ? { out: o.out } : {});
  });
report
  .command('rule605')
  .description('Rule 605(a)(2) monthly order execution summary: CSV (validated against oes-metadata.json)')
  .requiredOption('--month <month>', 'month, e.g. 2026-07')
  .option('--out <dir>', 'destination (default: <home>/reports/rule605/<month>)')
  .action(async (o: { month: string; out?: string }) => {
    const { reportCommand } = await import('./commands/report');
    await reportCommand(globals(), 'rule605', o.month, o.out ? { out: o.out } : {});
  });

program
  .command('query <sql>')
  .description('run Athena SQL over the lake and review results (DuckDB locally, the Athena workgroup on AWS)')
  .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
  .option('--param <literal>', 'an ExecutionParameter for a `?` (SQL literal, e.g. "\'2026Q3\'"; repeatable)', collect)
  .option('--timeout <seconds>', '(aws) stop the query after this long', seconds, 600)
  .action(async (sql: string, o: { format: 'table' | 'csv' | 'json'; param?: string[]; timeout: number }) => {
    const { queryCommand } = await import('./commands/query');
    await queryCommand(globals(), sql, { format: o.format, timeout: o.timeout, ...(o.param ? { params: o.param } : {}) });
  });

program
  .command('status')
  .description('last review and heightened-monitoring state per source, open cases, files quarantined lately')
  .option('--days <n>', 'quarantine window in days', (v: string) => Number(v), 7)
  .action(async (o: { days: number }) => {
    const { statusCommand } = await import('./commands/status');
    await statusCommand(globals(), o);
  });

const fetch = program.command('fetch').description('copy outputs from the target to a local folder');
fetch
  .command('package')
  .description('a review package (HTML report, metrics, breaches, evidence manifest); prints the PDF when Chromium is installed')
  .requiredOption('--period <period>', 'quarter (2026Q3) or month (2026-07)')
  .option('--source <source>', 'only this source')
  .option('--out <dir>', 'destination (default: <home>/packages/<period>, or <home>/aws/<stack>/packages/<period>)')
  .option('--dry-run', 'the package of a dry run', false)
  .action(async (o: { period: string; source?: string; out?: string; dryRun: boolean }) => {
    const { fetchPackageCommand } = await import('./commands/fetch');
    await fetchPackageCommand(globals(), o);
  });

const fetchReport = fetch
  .command('report')
  .description('a regulatory file stored by `bestex report` (regulatory/<report>/<period>/ in the results bucket)');
fetchReport
  .command('rule606')
  .requiredOption('--period <quarter>', 'quarter, e.g. 2026Q3')
  .option('--out <dir>', 'destination (default: <home>/reports/rule606/<period>)')
  .action(async (o: { period: string; out?: string }) => {
    const { fetchReportCommand } = await import('./commands/report');
    await fetchReportCommand(globals(), 'rule606', o.period, o.out ? { out: o.out } : {});
  });
fetchReport
  .command('rule605')
  .requiredOption('--month <month>', 'month, e.g. 2026-07')
  .option('--out <dir>', 'destination (default: <home>/reports/rule605/<month>)')
  .action(async (o: { month: string; out?: string }) => {
    const { fetchReportCommand } = await import('./commands/report');
    await fetchReportCommand(globals(), 'rule605', o.month, o.out ? { out: o.out } : {});
  });

program
  .command('verify <package-dir>')
  .description(
    'check a review package against the Object Lock copy of its manifest and re-hash every file, input, SQL and thresholds file; fails naming each difference',
  )
  .option('--run <run-id>', 'verify this run of the period and source (default: the latest run locked in the evidence bucket)')
  .option('--period <period>', 'the package’s period (default: the folder’s parent name)')
  .option('--source <source>', 'the package’s source (default: the folder’s name)')
  .option(
    '--offline',
    'check the folder against its own evidence.json only: proves the files match it, not that it is the one the review wrote',
  )
  .action(async (dir: string, o: { run?: string; period?: string; source?: string; offline?: boolean }) => {
    const { verifyCommand } = await import('./commands/verify');
    await verifyCommand(globals(), dir, o);
  });

const kase = program.command('case').description('the remediation case log (append-only events with who and when)');
const eventCommand = (name: 'open' | 'notify' | 'note' | 'plan' | 'close', description: string, withId: boolean) => {
  const c = kase
    .command(withId ? `${name} <case-id>` : name)
    .description(description)
    .requiredOption('--text <text>', 'what happened or was decided')
    .option('--who <name>', 'who records it (default: $USER)');
  if (name === 'open') {
    c.requiredOption('--source <source>', 'the vendor (source) concerned')
      .requiredOption('--period <period>', 'the review period it arose from')
      .option('--rule <rule-id>', 'the threshold rule breached, if any');
  }
  if (name === 'close') {
    c.addOption(
      new Option('--closure <closure>', 'how it ended').choices(['remediated', 'justified', 'terminated']).makeOptionMandatory(),
    ).option('--justification <text>', 'why the performance is acceptable (a "justified" closure)');
  }
  c.action(async (...args: unknown[]) => {
    const id = withId ? (args[0] as string) : undefined;
    const o = (withId ? args[1] : args[0]) as Record<string, string | undefined>;
    const { caseEventCommand } = await import('./commands/case');
    await caseEventCommand(globals(), name, id, {
      text: o.text as string,
      ...(o.who ? { who: o.who } : {}),
      ...(o.source ? { source: o.source } : {}),
      ...(o.period ? { period: o.period } : {}),
      ...(o.rule ? { rule: o.rule } : {}),
      ...(o.closure ? { closure: o.closure } : {}),
      ...(o.justification !== undefined ? { justification: o.justification } : {}),
    });
  });
};
eventCommand('open', 'open a case by hand (breaches open theirs automatically)', false);
eventCommand('notify', 'record the formal notification of the vendor', true);
eventCommand('note', 'record an investigation note', true);
eventCommand('plan', "record the vendor's corrective action plan", true);
eventCommand('close', 'close a case as remediated, justified or terminated', true);
kase
  .command('list')
  .description('the open cases (--all: every case)')
  .option('--all', 'closed cases too', false)
  .option('--source <source>', 'only this source')
  .action(async (o: { all: boolean; source?: string }) => {
    const { caseListCommand } = await import('./commands/case');
    await caseListCommand(globals(), o);
  });
kase
  .command('show <case-id>')
  .description("a case's timeline")
  .action(async (id: string) => {
    const { caseShowCommand } = await import('./commands/case');
    await caseShowCommand(globals(), id);
  });

const committee = program
  .command('committee')
  .description("the Best Execution Committee's record: minutes, determinations, dissent, sign-off, due-diligence answers");
committee
  .command('agenda')
  .description('what awaits a determination: findings, material differences, due-diligence refreshes (--all: decided ones too)')
  .option('--period <period>', 'only this review period')
  .option('--source <source>', 'only this source')
  .option('--all', 'decided items too', false)
  .action(async (o: { period?: string; source?: string; all: boolean }) => {
    const { agendaCommand } = await import('./commands/committee');
    await agendaCommand(globals(), o);
  });
committee
  .command('minutes')
  .description('record a meeting: date and attendees')
  .requiredOption('--period <period>', 'the review period discussed')
  .requiredOption('--date <date>', 'meeting date, YYYY-MM-DD')
  .requiredOption('--attendee <name>', 'who attended (repeatable)', collect)
  .option('--text <text>', 'anything else minuted')
  .option('--who <name>', 'who records it (default: $USER)')
  .action(async (o: { period: string; date: string; attendee: string[]; text?: string; who?: string }) => {
    const { minutesCommand } = await import('./commands/committee');
    await minutesCommand(globals(), {
      period: o.period,
      date: o.date,
      attendees: o.attendee,
      ...(o.text ? { text: o.text } : {}),
      ...(o.who ? { who: o.who } : {}),
    });
  });
committee
  .command('determine <item-id>')
  .description('record the determination on an agenda item; "remediate" links (--case) or opens a remediation case')
  .addOption(
    new Option('--decision <decision>', 'what the committee decided')
      .choices(['accept', 'modify_routing', 'remediate', 'escalate'])
      .makeOptionMandatory(),
  )
  .requiredOption('--rationale <text>', 'why')
  .requiredOption('--owner <name>', 'who carries it out')
  .option('--case <case-id>', 'the remediation case to link')
  .option('--period <period>', 'the period minuted in (default: the item’s)')
  .option('--who <name>', 'who records it (default: $USER)')
  .action(async (id: string, o: { decision: string; rationale: string; owner: string; case?: string; period?: string; who?: string }) => {
    const { determineCommand } = await import('./commands/committee');
    await determineCommand(globals(), id, {
      decision: o.decision,
      rationale: o.rationale,
      owner: o.owner,
      ...(o.case ? { case: o.case } : {}),
      ...(o.period ? { period: o.period } : {}),
      ...(o.who ? { who: o.who } : {}),
    });
  });
committee
  .command('dissent')
  .description('record a member’s dissent, on one item or the minutes as a whole')
  .requiredOption('--period <period>', 'the review period')
  .requiredOption('--name <name>', 'who dissents')
  .requiredOption('--text <text>', 'the dissent')
  .option('--item <item-id>', 'the item dissented on')
  .option('--who <name>', 'who records it (default: $USER)')
  .action(async (o: { period: string; name: string; text: string; item?: string; who?: string }) => {
    const { dissentCommand } = await import('./commands/committee');
    await dissentCommand(globals(), {
      period: o.period,
      name: o.name,
      text: o.text,
      ...(o.item ? { item: o.item } : {}),
      ...(o.who ? { who: o.who } : {}),
    });
  });
committee
  .command('sign')
  .description('sign off the period’s minutes and determinations (by name; the time is recorded)')
  .requiredOption('--period <period>', 'the review period')
  .requiredOption('--name <name>', 'who signs, e.g. "Jane Doe, CCO"')
  .option('--who <name>', 'who records it (default: $USER)')
  .action(async (o: { period: string; name: string; who?: string }) => {
    const { signCommand } = await import('./commands/committee');
    await signCommand(globals(), { period: o.period, name: o.name, ...(o.who ? { who: o.who } : {}) });
  });
committee
  .command('due-diligence')
  .description(
    'record the vendor’s annual due-diligence answers (JSON: as_of, venues, pfof, rebates_and_fees, routing_logic, conflicts_of_interest)',
  )
  .requiredOption('--source <source>', 'the vendor (source)')
  .requiredOption('--file <file>', 'the answers, JSON')
  .option('--who <name>', 'who records it (default: $USER)')
  .action(async (o: { source: string; file: string; who?: string }) => {
    const { dueDiligenceCommand } = await import('./commands/committee');
    await dueDiligenceCommand(globals(), { source: o.source, file: resolve(o.file), ...(o.who ? { who: o.who } : {}) });
  });
committee
  .command('show')
  .description('the minutes of a period as recorded')
  .requiredOption('--period <period>', 'the review period')
  .action(async (o: { period: string }) => {
    const { showCommand } = await import('./commands/committee');
    await showCommand(globals(), o);
  });

/** One line per failure; the stack only with --verbose (an unexpected error says so). */
async function main(): Promise<void> {
  try {
    await program.parseAsync();
  } catch (e) {
    const { CliError, explainAwsError } = await import('../aws/errors');
    const verbose = program.opts<GlobalOptions>().verbose || process.argv.includes('--verbose');
    let err = e as Error;
    if (!(err instanceof CliError) && (err as { $metadata?: unknown }).$metadata) err = explainAwsError(err, { action: 'an AWS call' });
    const expected = err instanceof CliError || err.name === 'ConfigError';
    process.stderr.write(`bestex: ${expected ? err.message : (err.message ?? String(err)).split('\n')[0]}\n`);
    if (verbose) {
      process.stderr.write(`${(e as Error).stack ?? ''}\n`);
      const cause = (err as { cause?: Error }).cause;
      if (cause?.stack) process.stderr.write(`caused by: ${cause.stack}\n`);
    } else if (!expected) {
      process.stderr.write('bestex: an unexpected error; run again with --verbose for the details\n');
    }
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

await main();
