/**
 * A CSV file written from bytes: values are copied straight from the input buffer into one large
 * output buffer that is written out in big chunks, so no per-field string is ever created.
 */
import { type FileHandle, open } from 'node:fs/promises';

const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const CR = 13;

export class ByteSink {
  private buf: Buffer;
  private len = 0;
  private spare: Buffer | undefined;
  private pending: Promise<void> | undefined;
  private failed: Error | undefined;
  /** Data rows written (the header excluded). */
  rows = 0;

  private constructor(
    private readonly fh: FileHandle,
    capacity: number,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  static async create(path: string, header: readonly string[], capacity = 1 << 20): Promise<ByteSink> {
    const sink = new ByteSink(await open(path, 'w'), capacity);
    sink.ascii(header.join(','));
    sink.byte(NEWLINE);
    return sink;
  }

  get buffered(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.len++] = c;
  }

  comma(): void {
    this.byte(COMMA);
  }

  /** Ends a data row. */
  endRow(): void {
    this.byte(NEWLINE);
    this.rows++;
  }

  /** ASCII text that needs no quoting (codes, numbers, header names). */
  ascii(text: string): void {
    this.ensure(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.len++] = text.charCodeAt(i);
  }

  /** Pre-encoded bytes that need no quoting. */
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    for (let i = 0; i < src.length; i++) this.buf[this.len++] = src[i] as number;
  }

  uint(n: number): void {
    this.ascii(String(n));
  }

  /** Raw bytes `src[from, to)` copied without any check (caller knows they are CSV-safe). */
  raw(src: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    const out = this.buf;
    let o = this.len;
    for (let i = from; i < to; i++) out[o++] = src[i] as number;
    this.len = o;
  }

  /** A value copied from `src[from, to)`, quoted per RFC 4180 only when it has to be. */
  field(src: Uint8Array, from: number, to: number): void {
    let quote = false;
    for (let i = from; i < to; i++) {
      const c = src[i] as number;
      if (c === COMMA || c === QUOTE || c === NEWLINE || c === CR) {
        quote = true;
        break;
      }
    }
    if (!quote) {
      this.raw(src, from, to);
      return;
    }
    this.ensure(2 * (to - from) + 2);
    const out = this.buf;
    let o = this.len;
    out[o++] = QUOTE;
    for (let i = from; i < to; i++) {
      const c = src[i] as number;
      if (c === QUOTE) out[o++] = QUOTE;
      out[o++] = c;
    }
    out[o++] = QUOTE;
    this.len = o;
  }

  /**
   * A FIX UTCTimestamp already checked to be `YYYYMMDD-HH:MM:SS[.f…]` as ISO-8601
   * `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, the fraction cut to microseconds.
   */
  isoTimestamp(src: Uint8Array, from: number, to: number): void {
    this.ensure(28);
    const out = this.buf;
    let o = this.len;
    out[o++] = src[from] as number;
    out[o++] = src[from + 1] as number;
    out[o++] = src[from + 2] as number;
    out[o++] = src[from + 3] as number;
    out[o++] = 45;
    out[o++] = src[from + 4] as number;
    out[o++] = src[from + 5] as number;
    out[o++] = 45;
    out[o++] = src[from + 6] as number;
    out[o++] = src[from + 7] as number;
    out[o++] = 84;
    for (let i = from + 9; i < from + 17; i++) out[o++] = src[i] as number;
    if (to > from + 17) {
      out[o++] = 46;
      const end = Math.min(to, from + 24);
      for (let i = from + 18; i < end; i++) out[o++] = src[i] as number;
    }
    out[o++] = 90;
    this.len = o;
  }

  /**
   * Hands the buffered bytes to the file and returns once the previous write is done, so the
   * parser fills one buffer while the other is being written (two buffers, one write in flight,
   * writes in order).
   */
  async flush(): Promise<void> {
    if (this.pending) await this.pending;
    if (this.failed) throw this.failed;
    if (this.len === 0) return;
    const full = this.buf;
    const len = this.len;
    this.buf = this.spare && this.spare.length >= full.length ? this.spare : Buffer.allocUnsafe(full.length);
    this.spare = undefined;
    this.len = 0;
    // A failed write is kept and thrown by the next flush or close (never an unhandled rejection).
    this.pending = this.writeAll(full, len).then(
      () => {
        this.spare = full;
        this.pending = undefined;
      },
      (e: unknown) => {
        this.failed = e instanceof Error ? e : new Error(String(e));
        this.pending = undefined;
      },
    );
  }

  private async writeAll(buf: Buffer, len: number): Promise<void> {
    let off = 0;
    while (off < len) {
      const { bytesWritten } = await this.fh.write(buf, off, len - off);
      off += bytesWritten;
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.pending;
      if (this.failed) throw this.failed;
    } finally {
      await this.fh.close();
    }
  }
}
