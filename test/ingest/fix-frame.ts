/**
 * The FIX tests' own framing, written from the FIX specification and not taken from the parser
 * (lambdas/normalise/fix/checksum.ts): BodyLength = body bytes, CheckSum = byte sum mod 256,
 * SOH-delimited, optionally shown with another separator or deliberately wrong numbers.
 */
export const SOH = '\x01';

/** The body of one good execution report: a 1-share fill E1 of order C at XNAS. */
export const ONE_FILL: readonly (readonly [number, string])[] = [
  [35, '8'],
  [11, 'C'],
  [17, 'E1'],
  [150, 'F'],
  [30, 'XNAS'],
  [31, '1'],
  [32, '1'],
  [60, '20260701-13:30:00'],
];

export function fix(
  begin: string,
  fields: readonly (readonly [number, string])[],
  opts: { sep?: string; bodyLength?: number; checksum?: string } = {},
): string {
  const body = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const head = `8=${begin}${SOH}9=${opts.bodyLength ?? Buffer.byteLength(body)}${SOH}`;
  let sum = 0;
  for (const byte of Buffer.from(head + body)) sum += byte;
  const msg = `${head}${body}10=${opts.checksum ?? String(sum % 256).padStart(3, '0')}${SOH}`;
  const sep = opts.sep ?? SOH;
  return sep === SOH ? msg : msg.split(SOH).join(sep);
}
