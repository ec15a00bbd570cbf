// The device text index built in another thread while the batch end runs (startRebuild): the inline build's rows, or nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../../core/contract/jobs.js';
import { rebuildDirtyChunks, startRebuild } from '../../../../core/store/device-text.js';
import { textCandidates } from '../../../../core/store/device-text-search.js';
import {
  buildChunk,
  type ChunkBuilder,
  type ChunkIndex,
  type ChunkText,
} from '../../../../core/store/device-text-chunk.js';
import { end } from '../../../../core/store/device-text-postings.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

/** Every row of the index and the dirty marks, row ids included (the inline build's insert order). */
function rows(ws: Workspace, withRowid = true): string {
  const all = (sql: string) => {
    const st = ws.db.prepare(sql);
    const out: unknown[][] = [];
    while (st.step()) out.push(st.get().map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
    st.free();
    return out;
  };
  return JSON.stringify({
    grams: all(`SELECT ${withRowid ? 'rowid, ' : ''}chunk, tri, n, ids FROM device_text_grams ORDER BY chunk, tri`),
    order: all('SELECT id, ids FROM device_text_order ORDER BY id'),
    dirty: all('SELECT chunk FROM device_text_dirty ORDER BY chunk'),
  });
}

/**
 * A builder standing for the reading thread: chunks cross as a message copies them and are built on `done`, after a
 * turn of the event loop (the batch end's analysis runs between). `fault` breaks the build of the chunk it names.
 */
function builder(fault?: { at: number; how: 'throw' | 'stray' }): ChunkBuilder & { jobs: number; cancelled: number } {
  const b = {
    jobs: 0,
    cancelled: 0,
    start(signal?: AbortSignal) {
      b.jobs++;
      const texts: ChunkText[] = [];
      return {
        add: (t: ChunkText) => void texts.push(structuredClone(t)),
        async done(): Promise<ChunkIndex[]> {
          await new Promise((r) => setTimeout(r, 1));
          if (signal?.aborted) throw new CancelledError();
          try {
            return texts.map((t, i) => {
              if (fault?.at === i && fault.how === 'throw') throw new Error('the build failed');
              const built = structuredClone(buildChunk(t));
              // A chunk the host did not ask for: the write must refuse it, not skip it.
              if (fault?.at === i && fault.how === 'stray') built.chunk = 9;
              return built;
            });
          } finally {
            end();
          }
        },
        cancel: () => void b.cancelled++,
      };
    },
  };
  return b;
}

async function fleet(): Promise<Workspace> {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
  ws.db.tx(() => {
    // Chunk 0: 3,000 devices, mixed case hex IDs and a few users; chunk 1 names NOCASE orders as a string sort does
    // not (a surrogate pair: SQLite gives the order), chunk 3 names beyond ASCII sorted in JS, chunk 4 a NUL inside.
    ws.db.run(
      `WITH RECURSIVE j(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM j WHERE n < 3000)
       INSERT INTO devices(id, hostname, host_key, serial, falcon_aid, user)
       SELECT n, printf('H%05d', (n * 7919) % 3001), 'K' || n, CASE WHEN n % 5 THEN printf('PF%X', n * 7919) END,
         printf('%08x', (n * 2654435761) % 4294967296), json_extract('["ann","Bob","cy","d"]', '$[' || (n % 4) || ']')
       FROM j`,
    );
    const odd: [number, string][] = [
      [65536 + 9, '😀-pc'],
      [65536 + 3, 'ﬀ-pc'],
      [65536 + 5, 'Zürich'],
      [3 * 65536 + 2, 'zürich-k1'],
      [3 * 65536 + 1, 'ZÜRICH'],
      [3 * 65536 + 7, 'Zurich'],
      [4 * 65536 + 1, 'ab\u0000z'],
      [4 * 65536 + 2, 'ab\u0000a'],
    ];
    odd.forEach(([id, h]) =>
      ws.db.run('INSERT INTO devices(id, hostname, host_key, user) VALUES (?, ?, ?, ?)', [id, h, `O${id}`, 'Ünï']),
    );
    // A dirty chunk with no devices left.
    ws.db.run('INSERT INTO device_text_dirty(chunk) VALUES (2)');
  });
  return ws;
}

/** Runs a rebuild as the batch end does: begun, other work, finished, inside the batch's transaction. */
async function overlapped(ws: Workspace, b: ChunkBuilder, meanwhile = () => {}, signal?: AbortSignal): Promise<void> {
  await ws.db.txAsync(async () => {
    const search = startRebuild(ws.db, b, signal);
    try {
      meanwhile();
      await search.finish();
    } finally {
      search.cancel();
    }
  });
}

describe('the device text index built in another thread', () => {
  let inline: Workspace;
  let ws: Workspace;
  beforeEach(async () => {
    inline = await fleet();
    ws = await fleet();
  });

  it('writes the inline build’s rows, row ids and all, for every chunk and then for some', async () => {
    rebuildDirtyChunks(inline.db);
    const b = builder();
    await overlapped(ws, b);
    expect(b.jobs).toBe(1);
    expect(rows(ws)).toBe(rows(inline));
    // Some chunks dirty among clean ones: the old rows go chunk by chunk.
    for (const w of [inline, ws]) w.db.run("UPDATE devices SET user = 'new' WHERE id IN (5, 3 * 65536 + 1)");
    rebuildDirtyChunks(inline.db);
    await overlapped(ws, b);
    expect(b.jobs).toBe(2);
    expect(rows(ws)).toBe(rows(inline));
    // Nothing dirty: no job.
    await overlapped(ws, b);
    expect(b.jobs).toBe(2);
  });

  it('builds a chunk marked dirty again meanwhile once more, after the rows handed over', async () => {
    const edit = (w: Workspace) => {
      w.db.run("UPDATE devices SET hostname = 'AAA-first' WHERE id = 17");
      w.db.run("UPDATE devices SET serial = 'fresh' WHERE id = 3 * 65536 + 7");
    };
    // The edits land after the chunks' text was handed over: the rows written for them are stale.
    await overlapped(ws, builder(), () => edit(ws));
    edit(inline);
    rebuildDirtyChunks(inline.db);
    // The same rows, the rebuilt chunks' later in row id order.
    expect(rows(ws, false)).toBe(rows(inline, false));
  });

  it('finds what the LIKE scan finds while the chunks are in the other thread (their marks gone, rows not written)', async () => {
    rebuildDirtyChunks(ws.db);
    ws.db.run("UPDATE devices SET user = 'qqzx-' || id WHERE id IN (17, 65536 + 3, 3 * 65536 + 1)");
    const like = (term: string) =>
      ws.db.all<{ id: number }>('SELECT id FROM devices WHERE user LIKE ? ORDER BY id', [`%${term}%`]).map((r) => r.id);
    await overlapped(ws, builder(), () => {
      expect(ws.db.value<number>('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
      for (const term of ['qqzx', 'zürich', 'ann'])
        expect(textCandidates(ws.db, term), term).toEqual(expect.arrayContaining(like(term)));
      expect(like('qqzx')).toHaveLength(3);
    });
    expect(textCandidates(ws.db, 'qqzx')).toEqual(like('qqzx'));
  });

  it.each(['throw', 'stray'] as const)(
    'leaves the index and its dirty marks as they were when the build fails (%s)',
    async (how) => {
      rebuildDirtyChunks(ws.db);
      ws.db.run("UPDATE devices SET user = 'new' WHERE id IN (5, 65536 + 3, 3 * 65536 + 1)");
      const before = rows(ws);
      await expect(overlapped(ws, builder({ at: 1, how }))).rejects.toThrow(
        how === 'throw' ? 'the build failed' : 'not asked for',
      );
      expect(rows(ws)).toBe(before);
    },
  );

  it('leaves everything as it was on a cancel while the chunks are built, and drops the job when the batch fails', async () => {
    const before = rows(ws);
    const ctrl = new AbortController();
    await expect(overlapped(ws, builder(), () => ctrl.abort(), ctrl.signal)).rejects.toBeInstanceOf(CancelledError);
    expect(rows(ws)).toBe(before);
    const b = builder();
    await expect(
      overlapped(ws, b, () => {
        throw new Error('the analysis failed');
      }),
    ).rejects.toThrow('the analysis failed');
    expect(b.cancelled).toBe(1);
    expect(rows(ws)).toBe(before);
  });
});
