// The key-file writer: regenerating over a 0644 file leaves 0600; a planted symlink or a directory at the target is refused, its target untouched.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writePrivateFile } from '../../../electron/node/private-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an existing 0644 file is replaced by a 0600 one', async () => {
  const f = path.join(dir, 'keys.cmd');
  writeFileSync(f, 'old');
  chmodSync(f, 0o644);
  await writePrivateFile(f, 'new 111111-222222');
  expect(statSync(f).mode & 0o777).toBe(0o600);
  expect(readFileSync(f, 'utf8')).toBe('new 111111-222222');
});

it('a symlink planted at the target is refused and its target left as it was', async () => {
  const victim = path.join(dir, 'victim.txt');
  writeFileSync(victim, 'untouched');
  const f = path.join(dir, 'planted.cmd');
  symlinkSync(victim, f);
  await expect(writePrivateFile(f, 'secret')).rejects.toThrow(/symbolic link/);
  expect(readFileSync(victim, 'utf8')).toBe('untouched');
});

it('a directory at the target is refused', async () => {
  const f = path.join(dir, 'adir');
  mkdirSync(f);
  await expect(writePrivateFile(f, 'secret')).rejects.toThrow(/not a regular file/);
});
