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
 * A held-back piece of the file: `len` bytes at `pos`, kept at `at` in the arena. Pieces are disjoint (later bytes
 * replace earlier ones) and may touch; touching pieces go out as one write.
 */
interface Piece {
  pos: number;
  len: number;
  at: number;
}

/** The arena's first size, bytes (it doubles as needed, up to twice the capacity, and is kept until close). */
const FIRST_ARENA = 64 << 10;

/**
 * `inner` with writes held back (up to `capacity` bytes) in disjoint pieces: a write inside a piece overwrites it in
 * place, so a rewritten record or page costs no call and no memory; any other write is appended to one reused
 * buffer (the arena) and replaces what it overlaps. Reads see the held-back bytes without writing them out.
 * Everything goes out, each run of touching pieces (or runs `gap` bytes apart or closer, with the file's bytes
 * between) as one write, when the pieces hold more than `capacity` and before the file is sized, truncated, synced or
 * closed. Each call to a host file can cost a message or a system call (the origin private file system's handles);
 * SQLite writes a page at a time. Nothing is allocated per write but a piece's three numbers: an earlier version
 * kept each run in its own growing buffer, and allocating and zeroing those (about 2 GiB for 0.6 GiB written at
 * 100k devices) cost more CPU than the writes it saved. A held-back write that fails fails every later call, so
 * SQLite sees the error (at its next read, or its commit's sync at the latest), never a file that silently lacks
 * what it wrote.
 */
export function gatherWrites(inner: HostFile, capacity = GATHER_BYTES, gap = GAP_BYTES): HostFile {
  /** Sorted by pos, disjoint. */
  let pieces: Piece[] = [];
  /** Bytes held back (the pieces' lengths: what the file would gain, not what the arena holds). */
  let heldBytes = 0;
  /** The held-back bytes; `used` of it taken (bytes a later write replaced stay there until the next flush). */
  let arena = new Uint8Array(0);
  let used = 0;
  /** Where a flush joins runs within the gap (kept: a flush runs every `capacity` bytes). */
  let span = new Uint8Array(0);
  let failed: unknown = null;

  /** The index of the first piece ending after `pos` (pieces.length when none does). */
  const firstEndingAfter = (pos: number): number => {
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = pieces[mid]!;
      if (p.pos + p.len <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const bytesOf = (p: Piece, from = p.pos, to = p.pos + p.len) =>
    arena.subarray(p.at + from - p.pos, p.at + to - p.pos);

  const flush = () => {
    if (failed) throw failed;
    if (pieces.length === 0) return;
    const out = pieces;
    pieces = [];
    heldBytes = 0;
    used = 0;
    try {
      for (let i = 0; i < out.length;) {
        // The pieces from i to j - 1 are each at most `gap` bytes after the one before (touching: 0): one write.
        let j = i + 1;
        let end = out[i]!.pos + out[i]!.len;
        while (j < out.length && out[j]!.pos - end <= gap) {
          end = out[j]!.pos + out[j]!.len;
          j++;
        }
        const first = out[i]!;
        if (j === i + 1) inner.write(bytesOf(first), first.pos);
        else {
          const n = end - first.pos;
          if (span.byteLength < n) span = new Uint8Array(Math.max(n, span.byteLength * 2));
          const s = span.subarray(0, n);
          for (let k = i; k < j; k++) {
            const p = out[k]!;
            s.set(bytesOf(p), p.pos - first.pos);
            // The file's own bytes between this piece and the next (none where the file ends: zeros, as a hole reads).
            const from = p.pos + p.len;
            const to = k + 1 < j ? out[k + 1]!.pos : from;
            if (to > from) {
              const got = Math.max(0, inner.read(s.subarray(from - first.pos, to - first.pos), from));
              if (from + got < to) s.fill(0, from + got - first.pos, to - first.pos);
            }
          }
          inner.write(s, first.pos);
        }
        i = j;
      }
    } catch (err) {
      failed = err;
      throw err;
    }
  };

  /** Room for `n` more bytes in the arena: a larger one (up to twice the capacity), or a flush that empties it. */
  const makeRoom = (n: number) => {
    if (used + n <= arena.byteLength) return;
    const limit = 2 * capacity;
    if (used + n > limit) flush();
    if (used + n <= arena.byteLength) return;
    const grown = new Uint8Array(Math.min(limit, Math.max(used + n, arena.byteLength * 2, FIRST_ARENA)));
    grown.set(arena.subarray(0, used));
    arena = grown;
  };

  return {
    read(into, position) {
      if (failed) throw failed;
      const n = into.byteLength;
      let i = firstEndingAfter(position);
      const p = pieces[i];
      if (p && p.pos <= position && p.pos + p.len >= position + n) {
        // Wholly in one piece: no call.
        into.set(bytesOf(p, position, position + n));
        return n;
      }
      // Straight to the file (writing nothing out), then the held-back pieces over what it read.
      const got = inner.read(into, position);
      if (pieces.length === 0 || (got === n && (!p || p.pos >= position + n))) return got;
      into.fill(0, got);
      let end = position + got;
      for (; i < pieces.length && pieces[i]!.pos < position + n; i++) {
        const q = pieces[i]!;
        const from = Math.max(q.pos, position);
        const to = Math.min(q.pos + q.len, position + n);
        into.set(bytesOf(q, from, to), from - position);
        end = Math.max(end, to);
      }
      // Past the file's end, a held-back piece further on makes the bytes before it part of the file (zeros).
      const last = pieces[pieces.length - 1]!;
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
      let i = firstEndingAfter(position);
      const p = pieces[i];
      if (p && p.pos <= position && p.pos + p.len >= position + n) {
        // Inside one piece (a record or a page written again): over its bytes, in place.
        bytesOf(p, position, position + n).set(bytes);
        return;
      }
      makeRoom(n);
      // A flush (to make room) leaves no pieces.
      if (pieces.length === 0) i = 0;
      const at = used;
      arena.set(bytes, at);
      used += n;
      // The pieces from i to j - 1 overlap the write: replaced, but for the parts of the first and last outside it.
      let j = i;
      let before = 0;
      while (j < pieces.length && pieces[j]!.pos < position + n) before += pieces[j++]!.len;
      const piece: Piece = { pos: position, len: n, at };
      if (j === i) pieces.splice(i, 0, piece);
      else {
        const first = pieces[i]!;
        const last = pieces[j - 1]!;
        const head: Piece | null =
          first.pos < position ? { pos: first.pos, len: position - first.pos, at: first.at } : null;
        const cut = position + n - last.pos;
        const tail: Piece | null =
          cut < last.len ? { pos: position + n, len: last.len - cut, at: last.at + cut } : null;
        const parts = [piece];
        if (head) parts.unshift(head);
        if (tail) parts.push(tail);
        pieces.splice(i, j - i, ...parts);
        heldBytes -= before - (head ? head.len : 0) - (tail ? tail.len : 0);
      }
      heldBytes += n;
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
        arena = span = new Uint8Array(0);
        inner.close();
      }
    },
  };
}
