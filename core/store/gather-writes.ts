// Writes to a host file held back and gathered into few calls: a statement journal rewrites the same record, a commit or a cache spill writes pages of several growing B-trees close together.
import type { HostFile } from './db.js';

/** How much one file may hold back (bytes) before it writes everything out. */
export const GATHER_BYTES = 1 << 20;

/**
 * Held-back runs closer than this (bytes) go out as one write, the file's own bytes between them read in to fill
 * the gap: in the origin private file system a write costs a message to the browser process, a read does not.
 */
export const GAP_BYTES = 32 << 10;

/**
 * A held-back run of `len` bytes at `pos`, kept at `off` in `buf`; the room around them lets the run grow at either
 * end without a copy (a B-tree's pages are written ascending or descending).
 */
interface Run {
  pos: number;
  len: number;
  buf: Uint8Array;
  off: number;
}

const held = (r: Run, from = r.pos, to = r.pos + r.len) => r.buf.subarray(r.off + from - r.pos, r.off + to - r.pos);

/**
 * `inner` with writes held back (up to `capacity` bytes) in disjoint runs: a write that overlaps or touches a run
 * joins it, later bytes over earlier ones, so a rewritten record or an appended page costs no call. Reads see the
 * held-back bytes without writing them out. Everything goes out, each run (or runs `gap` bytes apart or closer, with
 * the file's bytes between) as one write, when the runs hold more than `capacity` and before the file is sized,
 * truncated, synced or closed. Each call to a host file can cost a message or a system call (the origin private
 * file system's handles); SQLite writes a page at a time. A held-back write that fails fails every later call, so
 * SQLite sees the error (at its next read, or its commit's sync at the latest), never a file that silently lacks
 * what it wrote.
 */
export function gatherWrites(inner: HostFile, capacity = GATHER_BYTES, gap = GAP_BYTES): HostFile {
  /** Sorted by pos, disjoint and not touching (a write that touches two runs merges them). */
  let runs: Run[] = [];
  /** Bytes held back (the runs' lengths). */
  let heldBytes = 0;
  let failed: unknown = null;

  /** The index of the first run ending at or after `pos` (runs.length when none does). */
  const firstEndingFrom = (pos: number): number => {
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = runs[mid]!;
      if (r.pos + r.len < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const flush = () => {
    if (failed) throw failed;
    if (runs.length === 0) return;
    const out = runs;
    runs = [];
    heldBytes = 0;
    try {
      for (let i = 0; i < out.length;) {
        // The runs from i to j - 1 are each at most `gap` bytes after the one before: one write.
        let j = i + 1;
        let end = out[i]!.pos + out[i]!.len;
        while (j < out.length && out[j]!.pos - end <= gap) {
          end = out[j]!.pos + out[j]!.len;
          j++;
        }
        const first = out[i]!;
        if (j === i + 1) inner.write(held(first), first.pos);
        else {
          const span = new Uint8Array(end - first.pos);
          for (let k = i; k < j; k++) {
            const r = out[k]!;
            span.set(held(r), r.pos - first.pos);
            // The file's own bytes between this run and the next (none where the file ends: zeros, as a hole reads).
            if (k + 1 < j) {
              const from = r.pos + r.len;
              inner.read(span.subarray(from - first.pos, out[k + 1]!.pos - first.pos), from);
            }
          }
          inner.write(span, first.pos);
        }
        i = j;
      }
    } catch (err) {
      failed = err;
      throw err;
    }
  };

  return {
    read(into, position) {
      if (failed) throw failed;
      const n = into.byteLength;
      let i = firstEndingFrom(position + 1);
      const r = runs[i];
      if (r && r.pos <= position && r.pos + r.len >= position + n) {
        // Wholly held back: no call.
        into.set(held(r, position, position + n));
        return n;
      }
      // Straight to the file (writing nothing out), then the held-back runs over what it read.
      const got = inner.read(into, position);
      if (runs.length === 0 || (got === n && (!r || r.pos >= position + n))) return got;
      into.fill(0, got);
      let end = position + got;
      for (; i < runs.length && runs[i]!.pos < position + n; i++) {
        const run = runs[i]!;
        const from = Math.max(run.pos, position);
        const to = Math.min(run.pos + run.len, position + n);
        into.set(held(run, from, to), from - position);
        end = Math.max(end, to);
      }
      // Past the file's end, a held-back run further on makes the bytes before it part of the file (zeros).
      const last = runs[runs.length - 1]!;
      end = Math.max(end, Math.min(last.pos + last.len, position + n));
      return end - position;
    },
    write(bytes, position) {
      if (failed) throw failed;
      const n = bytes.byteLength;
      if (n === 0) return;
      if (n > capacity) {
        flush();
        inner.write(bytes, position);
        return;
      }
      const i = firstEndingFrom(position);
      let j = i;
      while (j < runs.length && runs[j]!.pos <= position + n) j++;
      if (j === i) {
        // Touches no run: a new one.
        runs.splice(i, 0, { pos: position, len: n, buf: bytes.slice(), off: 0 });
        heldBytes += n;
      } else {
        const first = runs[i]!;
        const last = runs[j - 1]!;
        const start = Math.min(first.pos, position);
        const end = Math.max(last.pos + last.len, position + n);
        let before = 0;
        for (let k = i; k < j; k++) before += runs[k]!.len;
        // The longest run takes the others in: only the shorter ones are copied (pages of B-trees written
        // interleaved join runs at almost every write; copying the long run each time would be quadratic).
        let base = first;
        for (let k = i + 1; k < j; k++) if (runs[k]!.len > base.len) base = runs[k]!;
        const longest = base;
        if (base.off - (base.pos - start) < 0 || base.off + (end - base.pos) > base.buf.byteLength) {
          // No room around it: a new buffer with half the run's size free on either side.
          const room = Math.max(end - start, 4096) >> 1;
          const grown: Run = { pos: start, len: end - start, buf: new Uint8Array(end - start + 2 * room), off: room };
          held(grown, base.pos, base.pos + base.len).set(held(base));
          base = grown;
        } else {
          base.off -= base.pos - start;
          base.pos = start;
          base.len = end - start;
        }
        for (let k = i; k < j; k++) {
          const r = runs[k]!;
          if (r !== longest) held(base, r.pos, r.pos + r.len).set(held(r));
        }
        held(base, position, position + n).set(bytes);
        runs.splice(i, j - i, base);
        heldBytes += end - start - before;
      }
      if (heldBytes > capacity) flush();
    },
    truncate(size) {
      flush();
      inner.truncate(size);
    },
    size() {
      flush();
      return inner.size();
    },
    sync() {
      flush();
      inner.sync?.();
    },
    close() {
      try {
        flush();
      } finally {
        inner.close();
      }
    },
  };
}
