// Recent workspaces: newest first, one entry per file, at most ten, and a damaged list is just empty.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, RecentList } from '../../../electron/host/recent.js';
import { WorkspaceStorage } from '../../../electron/storage.js';

const ref = (n: number, dir = '/w') => ({
  id: `id-${n}`,
  name: `W${n}`,
  location: path.join(dir, `W${n}.ringside`),
  openedAt: n,
});

describe('recent workspaces', () => {
  it('keeps the newest first, moves a reopened file to the top, and caps the list', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ringside-recent-')), 'user', 'recent.json');
    const storage = new WorkspaceStorage();
    const recent = new RecentList(file, (f, b) => storage.writeAtomic(f, b));
    expect(await recent.list()).toEqual([]);
    for (let n = 1; n <= 12; n++) await recent.touch(ref(n));
    expect((await recent.list()).map((r) => r.name)).toEqual([
      'W12',
      'W11',
      'W10',
      'W9',
      'W8',
      'W7',
      'W6',
      'W5',
      'W4',
      'W3',
    ]);
    expect(await recent.list()).toHaveLength(MAX_RECENT);
    await recent.touch({ ...ref(5), openedAt: 99, location: '/w/sub/../W5.ringside' });
    const names = (await recent.list()).map((r) => r.name);
    expect(names[0]).toBe('W5');
    expect(names.filter((n) => n === 'W5')).toHaveLength(1);
    await recent.remove('/w/W12.ringside');
    expect((await recent.list()).map((r) => r.name)).not.toContain('W12');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(MAX_RECENT - 1);
  });

  it('treats a damaged or foreign file as an empty list', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ringside-recent-')), 'recent.json');
    const recent = new RecentList(file, async () => undefined);
    writeFileSync(file, '{not json');
    expect(await recent.list()).toEqual([]);
    writeFileSync(file, JSON.stringify([{ id: 1, name: null }]));
    expect(await recent.list()).toEqual([]);
  });
});
