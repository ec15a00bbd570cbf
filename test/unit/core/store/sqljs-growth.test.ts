// The sql.js patch (patches/sql.js+1.16.0.patch): database files grow in place in a resizable buffer, and stay correct.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const require = createRequire(import.meta.url);

describe('sql.js file growth', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is patched in both builds Ringside loads (Node and the browser worker)', () => {
    for (const f of ['sql.js/dist/sql-wasm.js', 'sql.js/dist/sql-wasm-browser.js']) {
      const src = readFileSync(require.resolve(f), 'utf8');
      expect(src, `${f}: run \`npx patch-package\` (npm install does it)`).toContain('ringsideGrow(a.Ua,a.Wa,g)');
      expect(src).not.toContain('1.125)>>>0');
      // A closed temp file's memory is given back on close (test/unit/bench/memory.test.ts shows it happen).
      expect(src).toMatch(/finally\{\w+\[a\.\w+\]=null\}ringsideFreeClosed\(a\.node,\w+\);/);
    }
  });

  it('grows a 100 MB database in place, 16 MiB at a time, and reads back every row after export', async () => {
    const SQL = await loadSqlJs();
    // ES2024 resizable buffers are newer than the test project's lib; the method exists in Node 20 and Chromium.
    const resize = vi.spyOn(ArrayBuffer.prototype as unknown as { resize(n: number): void }, 'resize');
    const db = new SQL.Database();
    db.run('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)');
    db.run('BEGIN');
    const st = db.prepare('INSERT INTO t(v) VALUES (?)');
    for (let i = 0; i < 100_000; i++) st.run([`${i}:`.padEnd(1000, 'x')]);
    st.free();
    db.run('COMMIT');
    const size = (db.exec('PRAGMA page_count')[0]!.values[0]![0] as number) * 4096;
    expect(size).toBeGreaterThan(100e6);
    // In place: one resize per 16 MiB step instead of a new, 1.125x larger copy each time.
    expect(resize.mock.calls.length).toBeGreaterThanOrEqual(Math.floor(size / (16 << 20)) - 1);
    expect(resize.mock.calls.length).toBeLessThan(size / (16 << 20) + 4);
    const bytes = db.export();
    db.close();
    expect(bytes.length).toBe(size);
    const again = new SQL.Database(bytes);
    expect(again.exec('SELECT COUNT(*), SUM(length(v)), MAX(id) FROM t')[0]!.values[0]).toEqual([
      100_000, 100_000_000, 100_000,
    ]);
    expect(again.exec('SELECT v FROM t WHERE id = 77777')[0]!.values[0]![0]).toBe('77776:'.padEnd(1000, 'x'));
    again.close();
  });
});
