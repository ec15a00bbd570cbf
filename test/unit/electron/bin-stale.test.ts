// The `ringside` launcher rebuilds its CLI bundle when the sources are newer than it (a stale bundle ran old code).
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const { isStale } = createRequire(import.meta.url)('../../../bin/stale.cjs') as {
  isStale: (root: string, bundle: string) => boolean;
};

function touch(file: string, secondsAgo: number) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'x');
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(file, t, t);
}

describe('bin/stale.cjs', () => {
  it('a missing bundle is stale; one newer than every source is not', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ringside-bin-'));
    const bundle = path.join(root, 'dist', 'cli', 'ringside.cjs');
    touch(path.join(root, 'core', 'store', 'db.ts'), 100);
    touch(path.join(root, 'package.json'), 100);
    expect(isStale(root, bundle)).toBe(true);
    touch(bundle, 50);
    expect(isStale(root, bundle)).toBe(false);
  });

  it('a source changed after the build, however deep, makes it stale', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ringside-bin-'));
    const bundle = path.join(root, 'dist', 'cli', 'ringside.cjs');
    touch(bundle, 50);
    touch(path.join(root, 'electron', 'cli.ts'), 100);
    expect(isStale(root, bundle)).toBe(false);
    touch(path.join(root, 'core', 'store', 'migrations', '040-x.ts'), 10);
    expect(isStale(root, bundle)).toBe(true);
  });

  it('the dependency pins and patches count too; files outside the sources do not', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ringside-bin-'));
    const bundle = path.join(root, 'dist', 'cli', 'ringside.cjs');
    touch(bundle, 50);
    touch(path.join(root, 'README.md'), 10);
    touch(path.join(root, 'test', 'a.test.ts'), 10);
    expect(isStale(root, bundle)).toBe(false);
    touch(path.join(root, 'patches', 'sql.js+1.16.0.patch'), 10);
    expect(isStale(root, bundle)).toBe(true);
  });
});
