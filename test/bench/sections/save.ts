// Bench section: save the workspace snapshot (streamed from sql.js into the file, as the CLI and the desktop app
// save), then db.export() (the whole image copied in memory: only the web build's download does that), and the
// memory each costs. The run's headline peak RSS is read between the two.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceStorage } from '../../../electron/storage.js';
import { timed, type BenchSection } from '../types.js';

const MiB = 1 << 20;

const section: BenchSection = {
  name: 'save',
  order: 90,
  skip: (ctx) => (ctx.ws ? null : 'no workspace (the import section did not finish)'),
  async run(ctx) {
    // Peak RSS only grows: the streamed save runs first, so its peak is read before export() can raise it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-bench-save-'));
    try {
      const before = ctx.peakRssMiB();
      const file = path.join(dir, 'bench.ringside');
      const saved = await timed(() => new WorkspaceStorage().save(file, ctx.ws!.db, 0));
      ctx.metric(
        'save',
        'snapshot save, streamed into the file',
        saved.ms,
        'ms',
        `${(statSync(file).size / MiB).toFixed(0)} MiB file`,
      );
      ctx.metric(
        'save',
        'peak RSS after the streamed save',
        ctx.peakRssMiB(),
        'MiB',
        `${Math.round(before)} MiB before it`,
      );
      ctx.productPathsDone();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { ms, value } = await timed(() => ctx.ws!.db.export());
    ctx.metric(
      'save',
      'db.export()',
      ms,
      'ms',
      `${(value.byteLength / MiB).toFixed(0)} MiB image; not a save path of the CLI or the desktop app`,
    );
    ctx.metric('save', 'peak RSS after export', ctx.peakRssMiB(), 'MiB', 'not in the headline peak RSS');
  },
};
export default section;
