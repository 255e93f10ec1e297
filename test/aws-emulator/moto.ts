/**
 * moto_server (Python, installed with the machine image; PyPI is not reachable) on loopback, on a
 * free port, for the emulator suite. Missing moto is a failure that says what to install, never a
 * skip: a green run must mean the AWS path was exercised.
 *
 * moto's Step Functions interpreter calls the other services (Lambda, SNS, S3) through boto3 at
 * `http://localhost:$MOTO_PORT`, so the server gets MOTO_PORT too.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';

export interface Moto {
  endpoint: string;
  port: number;
  /** Environment for an SDK client or the CLI pointed at moto (dummy credentials, no profile files). */
  env: NodeJS.ProcessEnv;
  api(path: string, body?: unknown): Promise<unknown>;
  /** Clears every resource (the 5.2.1 work-around before each execution: moto issue 10077) and re-applies the config. */
  reset(): Promise<void>;
  /** Results the next Lambda invocations return, in order (moto's Lambda runs no code without Docker). */
  queueLambda(results: readonly unknown[]): Promise<void>;
  /** Rows the next Athena GetQueryResults returns (moto's Athena executes no SQL). */
  queueAthena(rows: readonly (readonly (string | null)[])[], columns: readonly { name: string; type: string }[]): Promise<void>;
  /** The server's output so far (for assertions on what it logged, and for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** The moto_server executable: $MOTO_SERVER, else on PATH. Throws saying what is missing. */
export function findMotoServer(): string {
  const explicit = process.env.MOTO_SERVER;
  const candidates = explicit ? [explicit] : ['moto_server'];
  for (const c of candidates) {
    try {
      execFileSync(c, ['--help'], { stdio: 'ignore', timeout: 30_000 });
      return c;
    } catch {
      // try the next
    }
  }
  throw new Error(
    `moto_server not found (${explicit ? `MOTO_SERVER=${explicit}` : 'not on PATH'}): the AWS emulator suite needs moto 5.x in server mode ` +
      '(`pip install "moto[server]==5.2.1"`, or set MOTO_SERVER to its path). It is installed with this machine image; .ci/run checks for it.',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const CONFIG = { stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } };

export async function startMoto(): Promise<Moto> {
  const bin = findMotoServer();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_PORT: String(port), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

  const api = async (path: string, body?: unknown): Promise<unknown> => {
    const r = await fetch(`${endpoint}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`moto ${path}: HTTP ${r.status}: ${text.slice(0, 500)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await api('/moto-api/data.json');
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`moto_server did not answer on ${endpoint} within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await api('/moto-api/config', CONFIG);

  return {
    endpoint,
    port,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: MOTO_REGION,
      AWS_DEFAULT_REGION: MOTO_REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    api,
    async reset() {
      await api('/moto-api/reset', {});
      await api('/moto-api/config', CONFIG);
    },
    async queueLambda(results) {
      await api('/moto-api/static/lambda-simple/response', {
        account_id: MOTO_ACCOUNT,
        region: MOTO_REGION,
        results: results.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))),
      });
    },
    async queueAthena(rows, columns) {
      await api('/moto-api/static/athena/query-results', {
        account_id: MOTO_ACCOUNT,
        region: MOTO_REGION,
        results: [
          {
            rows: [
              { Data: columns.map((c) => ({ VarCharValue: c.name })) },
              ...rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
            ],
            column_info: columns.map((c) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Precision: 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: false,
            })),
          },
        ],
      });
    },
    log: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = new URL('../../bin/bestex.mjs', import.meta.url).pathname;

/**
 * The real CLI as a user runs it, `bestex --target aws --outputs <file> …`, in a child process whose
 * only AWS settings are moto's (any AWS_* of the caller's shell is dropped), so nothing can reach a
 * real account. A non-zero exit is returned, not thrown: tests assert on the code and stderr.
 */
export async function runCli(moto: Moto, home: string, outputsFile: string, args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  Object.assign(env, moto.env, { BESTEX_HOME: home, NO_COLOR: '1' });
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, '--target', 'aws', '--outputs', outputsFile, ...args], {
      env,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}
