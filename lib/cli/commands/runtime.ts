import type { PublishedNotice } from '../../../lambdas/shared/notify';
import { LocalRuntime } from '../../local/runtime';
import type { GlobalOptions } from '../main';
import { progress } from '../output';

/** Starts the local runtime for one command and always stops it. Notices are echoed to stderr. */
export async function withRuntime<T>(g: GlobalOptions, fn: (rt: LocalRuntime) => Promise<T>): Promise<T> {
  const rt = await LocalRuntime.start({
    home: g.home,
    ...(g.config ? { configDir: g.config } : {}),
    log: progress,
    onNotice: (n: PublishedNotice) => progress(`  ✉ ${n.topic}: ${n.subject}`),
  });
  try {
    return await fn(rt);
  } finally {
    await rt.stop();
  }
}
