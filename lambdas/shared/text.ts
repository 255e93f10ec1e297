/**
 * Vendor-supplied strings in text a person reads (notices, emails, terminal summaries): a value can
 * never start a new line, move the cursor, reorder text or hide itself. Control characters (C0,
 * DEL, C1), the Unicode line and paragraph separators and the bidirectional overrides are shown
 * as visible escapes (`\n`, `\u202e`) instead of acting.
 */

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `value` as one safe line of text. */
export function oneLine(value: string): string {
  return value.replace(UNSAFE, (ch) => NAMED[ch] ?? `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
