// Bench section: serialise the workspace (db.export(), what every save does) and the memory that costs.
import { timed, type BenchSection } from '../types.js';

const section: BenchSection = {
  name: 'save',
  order: 90,
  skip: (ctx) => (ctx.ws ? null : 'no workspace (the import section did not finish)'),
  async run(ctx) {
    const { ms, value } = await timed(() => ctx.ws!.db.export());
    ctx.metric('save', 'db.export()', ms, 'ms', `${(value.byteLength / (1 << 20)).toFixed(0)} MiB image`);
    ctx.metric('save', 'peak RSS after export', ctx.peakRssMiB(), 'MiB');
  },
};
export default section;
