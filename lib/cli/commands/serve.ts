import { LocalRuntime } from '../../local/runtime';
import type { GlobalOptions } from '../support/options';
import { progress } from '../support/output';
import { requireLocal } from '../support/target';

/** A long-running local S3 endpoint for vendors and analysts to try uploads with any S3 client. */
export async function serveCommand(g: GlobalOptions, port: number): Promise<void> {
  requireLocal(g, 'serve', 'on AWS the drop bucket is the endpoint: upload with any S3 client, or `bestex --target aws drop <dir>`');
  const rt = await LocalRuntime.start({ home: g.home, port, ...(g.config ? { configDir: g.config } : {}), log: progress });
  rt.queue.onProcessed((p) => progress(`${p.ok ? '✓' : '✗'} ${p.key}${p.error ? `: ${p.error}` : ''}`));
  const lines = [
    `bestex local S3 endpoint: ${rt.endpoint}  (region us-east-1, path-style, any access key)`,
    ...Object.entries(rt.buckets).map(([role, name]) => `  ${role.padEnd(10)} s3://${name}`),
    '',
    `Try: aws --endpoint-url ${rt.endpoint} s3 cp orders.csv s3://${rt.buckets.drop}/acme-sor/orders/orders.csv`,
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await rt.stop();
}
