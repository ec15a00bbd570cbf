// `npx tsx test/bench/desktop-save.ts [--devices 300000] --mode stream|copy`: peak memory of one desktop save, per process.
// This process plays the renderer (the database worker's sql.js); a forked child plays the main process (DesktopHost
// and its storage), and they talk over Node IPC as the preload and ipcMain do. `copy` exports the whole image
// (db.export(), a host without the worker's streamed export) and sends it as the preload's saveSnapshot does;
// `stream` is exportStream -> snapshotBegin/Chunk/End.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import initSqlJs from 'sql.js';
import { SNAPSHOT_CHUNK, streamExport } from '../../core/store/export-stream.js';
import { rebuildDirtyChunks } from '../../core/store/device-text.js';
import { openWorkspace } from '../../core/workspace.js';
import { WorkspaceStorage } from '../../electron/storage.js';
import { headlessHost } from '../durability/desktop-host.js';

const MiB = 1 << 20;
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);
type Msg = { id: number; verb: string; args: unknown[] };

if (process.argv.includes('--main-side')) {
  // The main process: one workspace, then whatever the "renderer" sends.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-desktop-save-'));
  const storage = new WorkspaceStorage();
  const host = headlessHost(dir, storage);
  const ws = await host.createWorkspace('Bench');
  const verbs: Record<string, (...a: never[]) => unknown> = {
    info: () => ({ id: ws.ref.id, rss: rss() }),
    snapshotBegin: host.snapshotBegin.bind(host),
    snapshotChunk: host.snapshotChunk.bind(host),
    snapshotEnd: host.snapshotEnd.bind(host),
    done: () => {
      const out = { rss: rss(), size: statSync(ws.ref.location).size };
      rmSync(dir, { recursive: true, force: true });
      return out;
    },
  };
  process.on('message', (m: Msg) => {
    void Promise.resolve()
      .then(() => verbs[m.verb]!(...(m.args as never[])))
      .then(
        (value) => process.send!({ id: m.id, value }),
        (err: Error) => process.send!({ id: m.id, error: err.message }),
      );
  });
} else {
  const { values } = parseArgs({ options: { devices: { type: 'string' }, mode: { type: 'string' } } });
  const n = Number(values.devices ?? 300_000);
  const mode = values.mode;
  if (mode !== 'stream' && mode !== 'copy') throw new Error(`--mode takes stream or copy, not '${mode}'`);
  const SQL = await initSqlJs();
  const ws = await openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(7), actor: 'bench' });
  const db = ws.db;
  db.tx(() =>
    db.run(
      `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?)
       INSERT INTO devices(id, hostname, host_key, falcon_aid, serial, site, ring, platform, user, state)
       SELECT n, printf('LON-PC-%06d', n), printf('LON-PC-%06d', n), lower(hex(randomblob(16))),
         printf('PF%08X', n * 2654435761 % 4294967296), 'LON', 'ring-' || (n % 5), 'windows', 'user' || (n % 997), 'unknown'
       FROM c`,
      [n],
    ),
  );
  db.tx(() => rebuildDirtyChunks(db));
  const image = ((db.value<number>('PRAGMA page_count') ?? 0) * (db.value<number>('PRAGMA page_size') ?? 0)) / MiB;

  const child = fork(process.argv[1]!, ['--main-side'], { serialization: 'advanced' });
  let next = 0;
  const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  child.on('message', (m: { id: number; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id)!;
    waiting.delete(m.id);
    if (m.error) w.fail(new Error(m.error));
    else w.ok(m.value);
  });
  const call = <T>(verb: string, ...args: unknown[]) =>
    new Promise<T>((ok, fail) => {
      const id = ++next;
      waiting.set(id, { ok: ok as (v: unknown) => void, fail });
      child.send({ id, verb, args });
    });

  const info = await call<{ id: string; rss: number }>('info');
  const before = rss();
  const t0 = performance.now();
  if (mode === 'copy') {
    const bytes = db.export();
    const page = db.value<number>('PRAGMA page_size') ?? 4096;
    const sid = await call<string>('snapshotBegin', info.id, 0);
    for (let p = page; p < bytes.byteLength; p += SNAPSHOT_CHUNK)
      await call('snapshotChunk', sid, p, bytes.subarray(p, p + SNAPSHOT_CHUNK));
    await call('snapshotEnd', sid, bytes.subarray(0, page));
  } else {
    const sid = await call<string>('snapshotBegin', info.id, 0);
    const head = await streamExport(db, (position, bytes) => call('snapshotChunk', sid, position, bytes));
    await call('snapshotEnd', sid, head);
  }
  const ms = performance.now() - t0;
  const after = await call<{ rss: number; size: number }>('done');
  child.disconnect();
  console.log(
    `${n.toLocaleString('en-US')} devices, image ${image.toFixed(0)} MiB, file ${(after.size / MiB).toFixed(0)} MiB; ` +
      `save (${mode}) ${ms.toFixed(0)} ms; peak RSS renderer side ${before} -> ${rss()} MiB, main side ${info.rss} -> ${after.rss} MiB`,
  );
}
