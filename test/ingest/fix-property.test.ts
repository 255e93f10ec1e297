/**
 * Properties of the FIX parser on random logs: a model built alongside each generated log says
 * which rows, counts and rejects must come out (busts applied by the model's own rule), whatever
 * the separators, prefixes, chunk boundaries (read sizes down to one byte) and compression.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, parseFixLog } from '../../lambdas/normalise/fix/parse';
import { useScratchDir } from '../support/scratch';
import { fix, ONE_FILL, SOH } from './fix-frame';

const frame = (begin: string, fields: readonly (readonly [number, string])[], sep: string): string => fix(begin, fields, { sep });

type Item =
  | {
      kind: 'order';
      id: string;
      symbol: string;
      side: string;
      ordType: string;
      price: string;
      qty: number;
      tif: string | null;
      sec: number;
    }
  | { kind: 'fill'; id: string; order: string; v42: boolean; px: string; qty: number; venue: string; liq: string | null; sec: number }
  | { kind: 'bust'; ref: string; v42: boolean }
  | { kind: 'ignored'; type: string }
  | { kind: 'unknown' }
  | { kind: 'corrupt' }
  | { kind: 'garbage'; text: string }
  | { kind: 'blank' };

const ID = fc.constantFrom('A1', 'B2', 'C3', 'D4', 'E5', 'F6');
const SEC = fc.integer({ min: 0, max: 59 });
const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({
    kind: fc.constant('order' as const),
    id: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
    symbol: fc.constantFrom('AAPL', 'MSFT', 'BRK.B'),
    side: fc.constantFrom('1', '2', '5', '6', '8'),
    ordType: fc.constantFrom('1', '2', '3'),
    price: fc.constantFrom('1', '10.25', '0.0001'),
    qty: fc.integer({ min: 1, max: 100_000 }),
    tif: fc.constantFrom(null, '0', '1', '2', '3', '4', '6', '7'),
    sec: SEC,
  }),
  fc.record({
    kind: fc.constant('fill' as const),
    id: ID,
    order: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
    v42: fc.boolean(),
    px: fc.constantFrom('1', '99.99', '150.125'),
    qty: fc.integer({ min: 1, max: 5000 }),
    venue: fc.constantFrom('XNAS', 'XNYS', 'ARCX'),
    liq: fc.constantFrom(null, '1', '2', '4'),
    sec: SEC,
  }),
  fc.record({ kind: fc.constant('bust' as const), ref: ID, v42: fc.boolean() }),
  fc.record({ kind: fc.constant('ignored' as const), type: fc.constantFrom('0', 'A', '5', 'F', '8') }),
  fc.constant({ kind: 'unknown' as const }),
  fc.constant({ kind: 'corrupt' as const }),
  fc.record({
    kind: fc.constant('garbage' as const),
    text: fc.stringMatching(/^[a-z0-9 :.=-]{1,40}$/).filter((t) => t.trim() !== '' && !t.includes('8=fix')),
  }),
  fc.constant({ kind: 'blank' as const }),
);
const line = fc.record({
  item,
  sep: fc.constantFrom(SOH, '|', '^A'),
  prefix: fc.constantFrom('', '20260701-13:30:00.000 : ', 'INFO FIX.4.4:X->Y ', '  '),
});

const ts = (sec: number) => `20260701-14:00:${String(sec).padStart(2, '0')}.250`;
const iso = (sec: number) => `2026-07-01T14:00:${String(sec).padStart(2, '0')}.250Z`;
// The contract's code tables, written out again here rather than imported.
const SIDES: Record<string, string> = { '1': 'B', '2': 'S', '5': 'SS', '6': 'SX' };
const ORD_TYPES: Record<string, string> = { '1': 'MKT', '2': 'LMT' };
const TIFS: Record<string, string> = { '0': 'DAY', '1': 'GTC', '2': 'OPG', '3': 'IOC', '4': 'FOK', '7': 'CLS' };
const LIQ: Record<string, string> = { '1': 'A', '2': 'R', '4': 'X' };

function render(it: Item, sep: string): string {
  switch (it.kind) {
    case 'order':
      return frame(
        'FIX.4.4',
        [
          [35, 'D'],
          [11, it.id],
          [55, it.symbol],
          [54, it.side],
          [38, String(it.qty)],
          [40, it.ordType],
          [44, it.price],
          ...(it.tif === null ? [] : ([[59, it.tif]] as const)),
          [60, ts(it.sec)],
        ],
        sep,
      );
    case 'fill':
      return frame(
        it.v42 ? 'FIX.4.2' : 'FIXT.1.1',
        [
          [35, '8'],
          ...(it.v42 ? ([] as const) : ([[1128, '9']] as const)),
          [11, it.order],
          [17, it.id],
          ...(it.v42 ? ([[20, '0']] as const) : ([] as const)),
          [150, it.v42 ? '2' : 'F'],
          [30, it.venue],
          [31, it.px],
          [32, String(it.qty)],
          [60, ts(it.sec)],
          ...(it.liq === null ? [] : ([[851, it.liq]] as const)),
        ],
        sep,
      );
    case 'bust':
      return frame(
        'FIX.4.4',
        [
          [35, '8'],
          [17, `X${it.ref}`],
          [19, it.ref],
          ...(it.v42
            ? ([
                [20, '1'],
                [150, '2'],
              ] as const)
            : ([[150, 'H']] as const)),
        ],
        sep,
      );
    case 'ignored':
      return frame('FIX.4.4', [[35, it.type], ...(it.type === '8' ? ([[150, '0']] as const) : [])], sep);
    case 'unknown':
      return frame('FIX.4.4', [[35, 'U9']], sep);
    case 'corrupt':
      return frame(
        'FIX.4.4',
        [
          [35, '0'],
          [112, 'abc'],
        ],
        sep,
      ).replace('112=abc', '112=abd');
    case 'garbage':
      return it.text;
    case 'blank':
      return '';
  }
}

interface Expected {
  orders: string[];
  executions: string[];
  counts: Record<string, number>;
  rejectLines: number[];
}

/** What the contract says must come out of these lines. */
function model(items: Item[]): Expected {
  const orders: string[] = [];
  let fills: { id: string; line: number; row: string }[] = [];
  const c: Record<string, number> = {
    lines: items.length,
    blank: 0,
    garbled: 0,
    bad_checksum: 0,
    busts: 0,
    busted: 0,
    bust_unmatched: 0,
    ignored: 0,
    unknown_msg_type: 0,
  };
  const rejectLines: number[] = [];
  // A second bust of an id whose fills an earlier bust already removed still names an earlier fill.
  const busted = new Set<string>();
  items.forEach((it, i) => {
    const n = i + 1;
    if (it.kind === 'order') {
      const type = ORD_TYPES[it.ordType] ?? it.ordType;
      const tif = it.tif === null ? 'DAY' : (TIFS[it.tif] ?? it.tif);
      orders.push(`${it.id},${it.symbol},${SIDES[it.side] ?? it.side},${type},${it.price},${tif},${it.qty},${iso(it.sec)},,,,,${n}`);
    } else if (it.kind === 'fill') {
      const liq = it.liq === null ? '' : LIQ[it.liq];
      fills.push({ id: it.id, line: n, row: `${it.id},${it.order},,${it.venue},${iso(it.sec)},${it.px},${it.qty},${liq},,${n}` });
    } else if (it.kind === 'bust') {
      const hit = fills.filter((f) => f.id === it.ref);
      if (hit.length > 0 || busted.has(it.ref)) {
        c.busts = (c.busts ?? 0) + 1;
        c.busted = (c.busted ?? 0) + hit.length;
        busted.add(it.ref);
        fills = fills.filter((f) => f.id !== it.ref);
      } else {
        c.bust_unmatched = (c.bust_unmatched ?? 0) + 1;
        rejectLines.push(n);
      }
    } else if (it.kind === 'ignored') c.ignored = (c.ignored ?? 0) + 1;
    else if (it.kind === 'unknown') {
      c.unknown_msg_type = (c.unknown_msg_type ?? 0) + 1;
      rejectLines.push(n);
    } else if (it.kind === 'corrupt') {
      c.bad_checksum = (c.bad_checksum ?? 0) + 1;
      rejectLines.push(n);
    } else if (it.kind === 'garbage') {
      c.garbled = (c.garbled ?? 0) + 1;
      rejectLines.push(n);
    } else c.blank = (c.blank ?? 0) + 1;
  });
  c.orders = orders.length;
  c.executions = fills.length;
  return { orders, executions: fills.map((f) => f.row), counts: c, rejectLines };
}

const scratch = useScratchDir('bestex-fix-prop-');
let runs = 0;

describe('random FIX logs', () => {
  it('rows, counts and rejects match the model; the accounting identities hold; any chunking and gzip agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 40 }),
        fc.integer({ min: 1, max: 97 }),
        fc.boolean(),
        fc.boolean(),
        async (ls, chunkBytes, gzip, finalNewline) => {
          runs++;
          const text = ls
            .map((l) => (l.item.kind === 'blank' || l.item.kind === 'garbage' ? render(l.item, l.sep) : l.prefix + render(l.item, l.sep)))
            .join('\n');
          const file = join(scratch.path, `p${runs}.fix`);
          const bytes = Buffer.from(ls.length === 0 ? '' : text + (finalNewline ? '\n' : ''));
          await writeFile(file, gzip ? gzipSync(bytes) : bytes);
          const r = await parseFixLog(file, { gzip, outDir: join(scratch.path, `o${runs}`), chunkBytes });
          // A text without its final newline and whose last line is blank has one line fewer.
          const items = ls.map((l) => l.item);
          if (!finalNewline && items.length > 0 && items.at(-1)?.kind === 'blank') items.pop();
          const want = model(items);
          const rows = async (p: string) => (await readFile(p, 'utf8')).split('\n').slice(1, -1);
          expect(await rows(r.ordersCsv)).toEqual(want.orders);
          expect(await rows(r.executionsCsv)).toEqual(want.executions);
          expect(r.counts).toMatchObject(want.counts);
          expect(r.rejects.map((x) => x.line)).toEqual(want.rejectLines);
          const c = r.counts;
          expect(c.lines).toBe(c.blank + c.garbled + c.bad_checksum + c.bad_body_length + c.messages);
          expect(c.messages).toBe(
            c.orders + c.executions + c.busted + c.busts + c.bust_unmatched + c.ignored + c.unsupported + c.unknown_msg_type,
          );
          expect(r.rejects.length).toBe(
            c.garbled + c.bad_checksum + c.bad_body_length + c.bust_unmatched + c.unsupported + c.unknown_msg_type,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('memory bounds', () => {
  it('a line longer than MAX_LINE_BYTES is rejected with its start kept, and the next line still parses', async () => {
    const good = frame('FIX.4.4', ONE_FILL, '|');
    const file = join(scratch.path, 'long.fix');
    await writeFile(file, `${'x'.repeat(MAX_LINE_BYTES + 10)}\n${good}\n`);
    const r = await parseFixLog(file, { gzip: false, outDir: join(scratch.path, 'long'), chunkBytes: 64 * 1024 });
    expect(r.counts).toMatchObject({ lines: 2, garbled: 1, executions: 1 });
    expect(r.rejects[0]?.line).toBe(1);
    expect(r.rejects[0]?.reason).toContain('longer than');
    expect(r.rejects[0]?.original.length).toBe(64 * 1024);
  });
});
