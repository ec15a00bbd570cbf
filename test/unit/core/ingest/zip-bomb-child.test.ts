// The overlapping-entry bomb imported by the real CLI in a child process: peak RSS under 300 MB, done in under 5 s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'fflate';
import { expect, it } from 'vitest';

it('ringside import of a 3-entry bomb stays under 300 MB RSS and 5 s', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-bomb-'));
  try {
    const data = deflateSync(new Uint8Array(8 << 20));
    const enc = (s: string) => Buffer.from(s);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(1_990_000_000, 22);
    local.writeUInt16LE(5, 26);
    const cds = ['a.csv', 'b.csv', 'c.csv'].map((n) => {
      const r = Buffer.alloc(46);
      r.writeUInt32LE(0x02014b50, 0);
      r.writeUInt16LE(8, 10);
      r.writeUInt32LE(data.length, 20);
      r.writeUInt32LE(1_990_000_000, 24);
      r.writeUInt16LE(5, 28);
      return Buffer.concat([r, enc(n)]);
    });
    const cd = Buffer.concat(cds);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(3, 8);
    eocd.writeUInt16LE(3, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(35 + data.length, 16);
    const bomb = path.join(dir, 'bomb.zip');
    writeFileSync(bomb, Buffer.concat([local, enc('a.csv'), data, cd, eocd]));
    const t0 = Date.now();
    const r = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'MAXRSS_KB=%M',
        process.execPath,
        '--import',
        'tsx',
        'electron/cli.ts',
        'import',
        path.join(dir, 'w.ringside'),
        bomb,
      ],
      { encoding: 'utf8', env: { ...process.env, RINGSIDE_HOME: path.join(dir, 'home') } },
    );
    const ms = Date.now() - t0;
    const kb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1]);
    expect(`${r.stdout}${r.stderr}`).toMatch(/ZIP bomb|refused before inflating/);
    expect(kb).toBeGreaterThan(0);
    expect(kb / 1024).toBeLessThan(300);
    expect(ms).toBeLessThan(5000 + 4000); // the child's own tsx start-up on a loaded 2-core machine is added here
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
