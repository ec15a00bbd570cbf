// The one writer for files that hold keys: fresh temp file (exclusive create, no-follow, 0600), fsync, rename; a symlink or non-regular file at the target is refused.
import { constants as fsc } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

/** Writes `content` to `target` readable by the owner only, whatever was there before (a mode set on create only would leave an old 0644). */
export async function writePrivateFile(target: string, content: string | Uint8Array): Promise<void> {
  const st = await lstat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (st?.isSymbolicLink())
    throw new Error(`${target} is a symbolic link; a file holding keys is never written through one`);
  if (st && !st.isFile()) throw new Error(`${target} exists and is not a regular file; refused`);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${++counter}.tmp`);
  const h = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0), 0o600);
  try {
    await h.writeFile(content);
    await h.chmod(0o600);
    await h.sync();
  } catch (e) {
    await h.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await h.close().catch(() => undefined);
  }
  // rename replaces a symlink planted between the check and here rather than following it.
  await rename(tmp, target);
}
