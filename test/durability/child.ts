// Crash-harness child: runs the real storage path (recover, fsync'd journal appends, atomic snapshots) until killed.
import { applyJournalEntry } from '../../core/session.js';
import type { JournalEntry } from '../../core/contract/host.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../electron/storage.js';
import { HARNESS_KEY, harnessAction } from './shared.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  const every = Number(process.argv[3] ?? 25);
  if (!file) throw new Error('usage: child <workspace-file> [snapshot-every]');
  const storage = new WorkspaceStorage();
  const SQL = await loadSqlJs();
  const { ws, lastSeq } = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY, actor: 'crash-child' });
  process.stdout.write('READY\n');
  for (let seq = lastSeq + 1; ; seq++) {
    const entry: JournalEntry = { seq, action: harnessAction(seq) };
    await storage.appendJournal(file, entry);
    // Pipes are written synchronously on Linux: once this returns, the parent has the ACK even if we die now.
    process.stdout.write(`ACK ${seq}\n`);
    await applyJournalEntry(ws, entry);
    if (seq % every === 0) {
      process.stdout.write('SAVE begin\n');
      await storage.save(file, ws.db, seq);
      process.stdout.write('SAVE end\n');
    }
  }
}

main().catch((err: Error) => {
  process.stderr.write(`child failed: ${err.stack ?? err.message}\n`);
  process.exit(3);
});
