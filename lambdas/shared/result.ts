/** What reading something that may be malformed gives: the value, or why not (naming where). */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `JSON.parse`, its error naming the object it read (`<where>: not JSON (…)`). */
export function parseJson(text: string, where: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: `${where}: not JSON (${(e as Error).message})` };
  }
}
