/**
 * Object keys the local S3 endpoint refuses, with a 400 and a message, before s3rver sees them.
 * s3rver keeps `<bucket>/<key>` as a file path, so a key is only safe locally when it is also a
 * safe relative path: a `..` segment writes outside the bucket (or the store), `.` and empty
 * segments make two keys one file (`a//b` and `a/b`), and a segment longer than a file name may be
 * (255 bytes on ext4, APFS, NTFS) fails inside s3rver's write stream, where the error is uncaught
 * and stops `bestex serve`. AWS S3 itself refuses keys over 1024 bytes of UTF-8; the other limits
 * are the local store's, and the message says so.
 */

/** S3's own limit on a key: 1024 bytes of UTF-8. */
export const S3_MAX_KEY_BYTES = 1024;
/** The longest file name the local store's filesystems allow. */
export const FS_NAME_MAX = 255;
/** The longest suffix s3rver appends to a key's last segment (`._S3rver_metadata.json`). */
const S3RVER_SUFFIX_MAX = '._S3rver_metadata.json'.length;

export type KeyCheck = { ok: true } | { ok: false; code: 'KeyTooLongError' | 'InvalidArgument'; message: string };

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Whether the local store can hold `key` faithfully; if not, an S3-style error code and a message that says what to do. */
export function checkLocalKey(key: string): KeyCheck {
  const n = bytes(key);
  if (n > S3_MAX_KEY_BYTES) {
    return { ok: false, code: 'KeyTooLongError', message: `the key is ${n} bytes of UTF-8; S3 allows at most ${S3_MAX_KEY_BYTES}` };
  }
  if (key.includes('\u0000'))
    return { ok: false, code: 'InvalidArgument', message: 'the key holds a NUL character, which no file name can' };
  const segments = key.split('/');
  for (const [i, seg] of segments.entries()) {
    const where = `segment ${i + 1} of ${segments.length}`;
    if (seg === '' || seg === '.' || seg === '..') {
      const shown = seg === '' ? 'empty' : `"${seg}"`;
      return {
        ok: false,
        code: 'InvalidArgument',
        message: `${where} of the key is ${shown}: the local store keeps keys as paths, where such a segment ${
          seg === '..' ? 'escapes the bucket' : 'makes two keys one file'
        }; use keys like <source>/<dataset>/<file>`,
      };
    }
    const last = i === segments.length - 1;
    const max = last ? FS_NAME_MAX - S3RVER_SUFFIX_MAX : FS_NAME_MAX;
    if (bytes(seg) > max) {
      return {
        ok: false,
        code: 'InvalidArgument',
        message: `${where} of the key is ${bytes(seg)} bytes; the local store keeps each segment as a file name of at most ${max} bytes (AWS S3 would accept it): shorten that folder or file name`,
      };
    }
  }
  return { ok: true };
}

/** The Koa context fields the guard uses (s3rver is a Koa app). */
interface KoaContext {
  path: string;
  get(header: string): string;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}
type Next = () => Promise<unknown>;
type Middleware = (ctx: KoaContext, next: Next) => Promise<unknown>;

/** The key addressed by a path-style request path (`/<bucket>/<key>`), decoded; undefined for bucket or service requests. */
export function keyOfPath(path: string): string | undefined {
  const slash = path.indexOf('/', 1);
  if (slash < 0 || slash === path.length - 1) return undefined;
  return decodeURIComponent(path.slice(slash + 1));
}

/** Every key a request names: the one in its path and, for a copy, its source (`x-amz-copy-source`, `<bucket>/<key>`). */
function requestKeys(ctx: KoaContext): string[] {
  const keys: string[] = [];
  const own = keyOfPath(ctx.path);
  if (own !== undefined) keys.push(own);
  const copy = ctx.get('x-amz-copy-source');
  if (copy) {
    const src = keyOfPath(`/${copy.replace(/^\//, '').split('?')[0] ?? ''}`);
    if (src !== undefined) keys.push(src);
  }
  return keys;
}

const guard: Middleware = async (ctx, next) => {
  let keys: string[];
  try {
    keys = requestKeys(ctx);
  } catch {
    keys = [];
    ctx.status = 400;
    ctx.set('x-amz-error-code', 'InvalidURI');
    ctx.body = { Error: { Code: 'InvalidURI', Message: 'the request path is not valid percent-encoding' } };
    return;
  }
  for (const key of keys) {
    const c = checkLocalKey(key);
    if (!c.ok) {
      ctx.status = 400;
      ctx.set('x-amz-error-code', c.code);
      // A plain object: s3rver's own encoder turns it into S3's XML error document (escaped).
      ctx.body = { Error: { Code: c.code, Message: `bestex local S3: ${c.message}`, Key: key.slice(0, 200) } };
      return;
    }
  }
  return next();
};

/**
 * Puts the key guard in front of s3rver's router (after its virtual-host rewrite, so the path is
 * always `/<bucket>/<key>`). Call before `run()`: Koa composes its middleware when it starts listening.
 */
export function guardLocalKeys(server: object): void {
  const stack = (server as { middleware?: Middleware[] }).middleware;
  if (!Array.isArray(stack) || stack.length === 0) throw new Error('the local S3 server is not the Koa app this guard expects (s3rver 3)');
  // s3rver 3 registers its router last.
  stack.splice(stack.length - 1, 0, guard);
}
