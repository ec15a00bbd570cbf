// Hostile ZIPs built in the test: a bomb of several directory entries over one deflate stream, changed bytes, a too-small declared size, several CSVs, zip-slip names.
import { deflateSync, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { crc32 } from '../../../../core/ingest/readers/zip-archive.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const enc = (s: string) => new TextEncoder().encode(s);
const CSV =
  'Device name,Serial number,OS version,Last check-in\r\n' +
  Array.from({ length: 50 }, (_, i) => `PC-${i},SN${i},10.0.19045.4529,2024-07-19 04:00:00`).join('\r\n');

/** A ZIP whose one local entry (data) is pointed at by `names.length` directory records, each declaring `size`. */
function overlapping(names: string[], data: Uint8Array, size: number, crc: number): Uint8Array {
  const name0 = enc(names[0]!);
  const local = new Uint8Array(30 + name0.length);
  const dv = new DataView(local.buffer);
  dv.setUint32(0, 0x04034b50, true);
  dv.setUint16(4, 20, true);
  dv.setUint16(8, 8, true);
  dv.setUint32(14, crc, true);
  dv.setUint32(18, data.length, true);
  dv.setUint32(22, size, true);
  dv.setUint16(26, name0.length, true);
  local.set(name0, 30);
  const cds = names.map((n) => {
    const nb = enc(n);
    const r = new Uint8Array(46 + nb.length);
    const v = new DataView(r.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(10, 8, true);
    v.setUint32(16, crc, true);
    v.setUint32(20, data.length, true);
    v.setUint32(24, size, true);
    v.setUint16(28, nb.length, true);
    v.setUint32(42, 0, true);
    r.set(nb, 46);
    return r;
  });
  const cdLen = cds.reduce((a, r) => a + r.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, names.length, true);
  ev.setUint16(10, names.length, true);
  ev.setUint32(12, cdLen, true);
  ev.setUint32(16, local.length + data.length, true);
  const out = new Uint8Array(local.length + data.length + cdLen + 22);
  let o = 0;
  for (const p of [local, data, ...cds, eocd]) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function ws() {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: async () => new Uint8Array(32).fill(7), actor: 'test' });
}
const devices = async (w: Awaited<ReturnType<typeof ws>>) => w.db.value<number>('SELECT COUNT(*) FROM devices');

it('a bomb of three directory entries over one deflate stream is refused before inflating, fast', async () => {
  const w = await ws();
  const zeros = deflateSync(new Uint8Array(8 << 20));
  const zip = overlapping(['a.csv', 'b.csv', 'c.csv'], zeros, 1_990_000_000, 0);
  const t0 = performance.now();
  const r = await importFile(w, inputFromBytes('bomb.zip', zip));
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(r.imported).toBe(0);
  expect(r.errors[0]!.message).toMatch(/refused before inflating|ZIP bomb/);
  expect(await devices(w)).toBe(0);
  expect(w.db.value<number>('SELECT COUNT(*) FROM imports')).toBe(0);
});

it('one entry that lies about its size (declares 1 KiB, inflates 8 MiB of zeros) is stopped at its declared size', async () => {
  const w = await ws();
  const zeros = deflateSync(new Uint8Array(8 << 20));
  const r = await importFile(w, inputFromBytes('liar.zip', overlapping(['a.csv'], zeros, 1024, 0)));
  expect(r.errors[0]!.message).toMatch(/past its declared 1024 bytes/);
  expect(await devices(w)).toBe(0);
});

it('three changed bytes of a stored entry fail the CRC-32; the workspace is unchanged', async () => {
  const w = await ws();
  const zip = zipSync({ 'devices.csv': [enc(CSV), { level: 0 }] });
  const at = new TextDecoder().decode(zip).indexOf('PC-7,');
  zip.set(enc('XY9'), at);
  const r = await importFile(w, inputFromBytes('changed.zip', zip));
  expect(r.errors[0]!.message).toMatch(/CRC-32 does not match/);
  expect(await devices(w)).toBe(0);
});

it('an entry whose declared size is too small is refused, not cut', async () => {
  const w = await ws();
  const data = enc(CSV);
  const zip = overlapping(['devices.csv'], deflateSync(data), data.length - 200, crc32(data));
  const r = await importFile(w, inputFromBytes('short.zip', zip));
  expect(r.errors[0]!.message).toMatch(/past its declared/);
  expect(await devices(w)).toBe(0);
});

it('several CSVs: the largest is imported, every other candidate named as skipped; zip-slip and nested ZIPs skipped', async () => {
  const w = await ws();
  const zip = zipSync({
    'devices.csv': enc(CSV),
    'small.csv': enc(CSV.slice(0, 200)),
    '../../evil.csv': enc(CSV + '\r\nEVIL,1,2,3'),
    'inner.zip': zipSync({ 'x.csv': enc(CSV) }),
  });
  const r = await importFile(w, inputFromBytes('many.zip', zip));
  const notes = r.notes.join('\n');
  expect(notes).toMatch(/read devices\.csv from the ZIP/);
  expect(notes).toMatch(/skipped small\.csv/);
  expect(notes).toMatch(/skipped \.\.\/\.\.\/evil\.csv in the archive: its name climbs out/);
  expect(notes).toMatch(/skipped inner\.zip in the archive: nested archives/);
  expect(r.imported).toBe(50);
});
