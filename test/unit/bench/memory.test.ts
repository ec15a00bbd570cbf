// The bench's memory breakdown (test/bench/memory.ts): sql.js's wasm heap, and each MEMFS file at its largest.
import { expect, it } from 'vitest';
import { memoryParts, watchMemory } from '../../bench/memory.js';

it('counts the wasm heap and every MEMFS file at its largest, a sub-journal closed since included', async () => {
  watchMemory();
  // Loaded after the watch starts, as the bench does (this file runs in its own process).
  const { loadSqlJs } = await import('../../../electron/node/sqljs.js');
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    // As an import batch does: pages written earlier in the transaction (10,000 rows of a 4,000-byte blob, one 4 KiB
    // page each: 39 MiB), then rewritten in a savepoint. They were not in the database when the transaction began,
    // so the rollback journal holds none of them; the savepoint's sub-journal holds each one's old content, and
    // SQLite keeps that file until the transaction ends.
    db.run('CREATE TABLE t(b BLOB)');
    db.run('BEGIN');
    db.run(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) INSERT INTO t SELECT randomblob(4000) FROM c',
    );
    db.run('SAVEPOINT s; UPDATE t SET b = randomblob(4000); RELEASE s; COMMIT');
    const pages = Number(db.exec('PRAGMA page_count')[0]!.values[0]![0]);
    expect(pages).toBeGreaterThanOrEqual(10_000);
    const parts = memoryParts();
    expect(parts.wasmMiB).toBeGreaterThanOrEqual(16);
    expect(parts.filesMiB[0]).toBeGreaterThanOrEqual((pages * 4096) / 2 ** 20);
    // The database file and the sub-journal (closed by the COMMIT, counted at its largest).
    expect(parts.filesMiB.filter((x) => x >= 39)).toHaveLength(2);
    // The sub-journal was a temp file (unlinked when SQLite opened it): closing it gave its memory back at once
    // (ringsideFreeClosed in the sql.js patch), without waiting for a garbage collection.
    expect(parts.liveMiB.filter((x) => x >= 1)).toHaveLength(1);
  } finally {
    db.close();
  }
});
