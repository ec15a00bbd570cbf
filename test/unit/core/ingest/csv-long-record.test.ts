// A 200 MB line with no quote in it is refused as "record too long" with its line number, not as an unterminated quote.
import { expect, it } from 'vitest';
import type { ImportInput } from '../../../../core/contract/ingest.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { MAX_RECORD_CHARS } from '../../../../core/ingest/readers/csv.js';
import { importFile } from '../../../../core/ingest/index.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const MiB = 1 << 20;
const HEAD = 'Device name,Serial number,OS version,Last check-in\r\nPC-1,SN1,10.0.19045.4529,2024-07-19 04:00:00\r\n';

/** The header, one good row, `lead`, then `total` bytes of `fill` made as they are read (never held whole). */
function generated(total: number, fill: string, lead = ''): ImportInput & { served: () => number } {
  let served = 0;
  const chunk = new TextEncoder().encode(fill.repeat(MiB / fill.length));
  return {
    name: 'long-line.csv',
    size: HEAD.length + total,
    served: () => served,
    stream: () => {
      let first = true;
      return new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (first) {
            first = false;
            ctrl.enqueue(new TextEncoder().encode(HEAD + lead));
          } else if (served < total) {
            ctrl.enqueue(chunk);
            served += chunk.byteLength;
          } else ctrl.close();
        },
      });
    },
  };
}

async function workspace() {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3), now: () => 0 });
}

it('a 200 MB unquoted line: "record too long" on line 3, read no further than the limit, nothing imported', async () => {
  const ws = await workspace();
  const input = generated(200 * MiB, 'a');
  const r = await importFile(ws, input);
  expect(r.importId).toBeNull();
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]!.line).toBe(3);
  expect(r.errors[0]!.message).toBe(
    `long-line.csv: line 3 is longer than ${MAX_RECORD_CHARS} characters (record too long)`,
  );
  // Stopped a few chunks past the limit, not at the end of the 200 MB.
  expect(input.served()).toBeLessThan(MAX_RECORD_CHARS + 8 * MiB);
  expect(ws.db.value<number>('SELECT COUNT(*) FROM imports')).toBe(0);
  expect(ws.db.value<number>('SELECT COUNT(*) FROM devices')).toBe(0);
  ws.db.close();
});

it('a quote opened on line 3 and never closed over many lines is still "unterminated quote"', async () => {
  const ws = await workspace();
  const r = await importFile(ws, generated(24 * MiB, `${'b'.repeat(63)}\n`, 'PC-2,"SN2\n'));
  expect(r.errors[0]!.message).toMatch(/a quoted field that starts on line 3 never ends \(unterminated quote/);
  expect(ws.db.value<number>('SELECT COUNT(*) FROM devices')).toBe(0);
  ws.db.close();
  // And a short file with a good row still imports (the guard does not catch ordinary files).
  const ok = await workspace();
  expect((await importFile(ok, inputFromBytes('ok.csv', HEAD))).imported).toBe(1);
  ok.db.close();
});
