/**
 * FIX framing arithmetic, for writing messages (benchmark logs, test corpora). The parser checks
 * the same two numbers inline while it walks a line (tokenizer.ts), so that reading costs one pass.
 *
 * - BodyLength (9): bytes from just after the delimiter that ends the 9= field up to and including
 *   the delimiter before 10=.
 * - CheckSum (10): sum of every byte from `8=` up to and including the delimiter before 10=,
 *   mod 256, written as three digits.
 * Both are defined over SOH-delimited bytes; a log written with `|` or `^A` is measured as if it
 * had been re-delimited with SOH.
 */

export const SOH = '\x01';

/** Sum of the bytes mod 256. */
export function fixChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i] as number;
  return sum & 255;
}

/** Three-digit CheckSum text. */
export const checksumText = (n: number): string => String(n & 255).padStart(3, '0');

/**
 * A complete message: `8=<beginString>`, `9=<length>`, the given fields in order (MsgType first,
 * as FIX requires), `10=<checksum>`, each followed by `sep`. Values must be ASCII/UTF-8 text.
 */
export function frameFixMessage(beginString: string, fields: readonly (readonly [number, string])[], sep: string = SOH): string {
  const body = fields.map(([tag, value]) => `${tag}=${value}${SOH}`).join('');
  const head = `8=${beginString}${SOH}9=${Buffer.byteLength(body)}${SOH}`;
  const cs = checksumText(fixChecksum(Buffer.from(head + body)));
  const msg = `${head}${body}10=${cs}${SOH}`;
  return sep === SOH ? msg : msg.split(SOH).join(sep);
}
