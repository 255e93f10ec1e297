/**
 * s3rver 3.7 ignores `If-None-Match: *` on PutObject (S3 honours it since 2024: 412 when the key
 * exists). The normalise Lambda's per-source lease (lambdas/normalise/lease.ts) relies on it, so
 * the local stand-in honours it too: a PUT carrying the header fails with 412 when the object
 * exists or another such PUT of the same key is in flight. Installed ahead of s3rver's router.
 */
import type S3rver from 's3rver';

interface KoaLike {
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
interface KoaContext {
  method: string;
  path: string;
  status: number;
  type: string;
  body: unknown;
  get(header: string): string;
}

export function honourConditionalWrites(server: S3rver): void {
  const app = server as unknown as KoaLike;
  const inFlight = new Set<string>();
  app.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'PUT' || ctx.get('if-none-match').trim() !== '*') return next();
    const [, bucket = '', ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    const fail = () => {
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`;
    };
    if (inFlight.has(id)) return fail();
    // Claimed before the first await, so a second request cannot pass the check meanwhile.
    inFlight.add(id);
    try {
      if (await app.store.existsObject(bucket, key)) return fail();
      await next();
    } finally {
      inFlight.delete(id);
    }
  });
}
