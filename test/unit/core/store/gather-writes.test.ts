// gatherWrites: held-back writes reach the host file in few calls, and nothing read, sized, synced or closed misses a write.
import { describe, expect, it } from 'vitest';
import type { HostFile } from '../../../../core/store/db.js';
import { gatherWrites } from '../../../../core/store/gather-writes.js';

/** A host file in memory that records each call. */
function recording(failWritesFrom = Infinity) {
  let data = new Uint8Array(0);
  const calls: string[] = [];
  const file: HostFile = {
    read(into, position) {
      calls.push(`read ${position}+${into.byteLength}`);
      const part = data.subarray(position, position + into.byteLength);
      into.set(part);
      return part.byteLength;
    },
    write(bytes, position) {
      calls.push(`write ${position}+${bytes.byteLength}`);
      if (calls.filter((c) => c.startsWith('write')).length >= failWritesFrom) throw new Error('disk full');
      if (position + bytes.byteLength > data.byteLength) {
        const grown = new Uint8Array(position + bytes.byteLength);
        grown.set(data);
        data = grown;
      }
      data.set(bytes, position);
    },
    truncate(size) {
      calls.push(`truncate ${size}`);
      const next = new Uint8Array(size);
      next.set(data.subarray(0, size));
      data = next;
    },
    size() {
      calls.push('size');
      return data.byteLength;
    },
    sync() {
      calls.push('sync');
    },
    close() {
      calls.push('close');
    },
  };
  return { file, calls, bytes: () => data };
}

const page = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const writes = (calls: string[]) => calls.filter((c) => c.startsWith('write'));

/** A small deterministic generator (the model test's runs are reproducible from their seed). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

describe('gatherWrites', () => {
  it('contiguous writes and a rewritten record go out as one write, at the sync', () => {
    const r = recording();
    const f = gatherWrites(r.file, 64, 0);
    f.write(page(4, 1), 0);
    f.write(page(4, 2), 4);
    f.write(page(4, 3), 8);
    // A statement journal's record written again at the same place (its statement ended, the next one began).
    f.write(page(4, 4), 4);
    f.write(page(4, 5), 4);
    expect(r.calls).toEqual([]);
    f.sync!();
    expect(r.calls).toEqual(['write 0+12', 'sync']);
    expect([...r.bytes()]).toEqual([1, 1, 1, 1, 5, 5, 5, 5, 3, 3, 3, 3]);
  });

  it('runs apart stay apart unless within the gap, whose bytes are read from the file to join them', () => {
    const r = recording();
    r.file.write(page(40, 9), 0);
    r.calls.length = 0;
    const far = gatherWrites(r.file, 64, 4);
    far.write(page(4, 1), 0);
    far.write(page(4, 2), 20); // 16 bytes after the first: more than the gap
    far.write(page(4, 3), 27); // 3 bytes after the second: joined, the 3 bytes read from the file
    far.sync!();
    expect(r.calls).toEqual(['write 0+4', 'read 24+3', 'write 20+11', 'sync']);
    expect([...r.bytes().subarray(16, 32)]).toEqual([9, 9, 9, 9, 2, 2, 2, 2, 9, 9, 9, 3, 3, 3, 3, 9]);
  });

  it('a write over parts of held-back pieces keeps their outer parts; one inside a piece goes over it in place', () => {
    const r = recording();
    const f = gatherWrites(r.file, 64, 0);
    f.write(page(8, 1), 0);
    f.write(Uint8Array.from([20, 21, 22, 23, 24, 25, 26, 27]), 8);
    f.write(page(6, 3), 5); // the end of the first piece and the start of the second
    f.write(page(2, 4), 1); // inside the first piece's remaining part
    f.write(page(3, 5), 12); // inside the second's
    const seen = new Uint8Array(16);
    expect(f.read(seen, 0)).toBe(16);
    const want = [1, 4, 4, 1, 1, 3, 3, 3, 3, 3, 3, 23, 5, 5, 5, 27];
    expect([...seen]).toEqual(want);
    expect(r.calls).toEqual(['read 0+16']);
    f.sync!();
    expect(writes(r.calls)).toEqual(['write 0+16']);
    expect([...r.bytes()]).toEqual(want);
  });

  it("a flush that joins runs past the file's end fills the gap with zeros, not an earlier flush's bytes", () => {
    const r = recording();
    r.file.write(page(40, 9), 0);
    r.calls.length = 0;
    const f = gatherWrites(r.file, 64, 8);
    f.write(page(4, 1), 0);
    f.write(page(4, 2), 6); // the 2 bytes between read from the file (9s)
    f.sync!();
    f.write(page(4, 3), 100);
    f.write(page(4, 4), 106); // the file ends at 40: the 2 bytes between are a hole
    f.sync!();
    expect(writes(r.calls)).toEqual(['write 0+10', 'write 100+10']);
    expect([...r.bytes().subarray(0, 10)]).toEqual([1, 1, 1, 1, 9, 9, 2, 2, 2, 2]);
    expect([...r.bytes().subarray(100, 110)]).toEqual([3, 3, 3, 3, 0, 0, 4, 4, 4, 4]);
  });

  it('reads see held-back bytes (over the file, and past its end as zeros) without writing anything out', () => {
    const r = recording();
    r.file.write(page(8, 9), 0);
    r.calls.length = 0;
    const f = gatherWrites(r.file, 64, 0);
    f.write(page(2, 1), 2);
    f.write(page(2, 2), 12); // past the file's end (8): bytes 8-11 are a hole
    const whole = new Uint8Array(16).fill(0xee);
    expect(f.read(whole, 0)).toBe(14);
    expect([...whole.subarray(0, 14)]).toEqual([9, 9, 1, 1, 9, 9, 9, 9, 0, 0, 0, 0, 2, 2]);
    const inside = new Uint8Array(2);
    expect(f.read(inside, 12)).toBe(2); // wholly held back: no call at all
    expect([...inside]).toEqual([2, 2]);
    const before = new Uint8Array(2);
    expect(f.read(before, 6)).toBe(2); // touches no run: the file's bytes
    expect([...before]).toEqual([9, 9]);
    expect(r.calls).toEqual(['read 0+16', 'read 6+2']);
    expect(f.size()).toBe(14);
  });

  it('past the capacity everything goes out; a write larger than the capacity goes straight through', () => {
    const r = recording();
    const f = gatherWrites(r.file, 16, 0);
    f.write(page(8, 1), 0);
    f.write(page(8, 2), 100);
    expect(r.calls).toEqual([]);
    f.write(page(4, 3), 200); // 20 bytes held: all out
    expect(r.calls).toEqual(['write 0+8', 'write 100+8', 'write 200+4']);
    f.write(page(2, 4), 300);
    f.write(page(40, 5), 1000);
    expect(r.calls.slice(3)).toEqual(['write 300+2', 'write 1000+40']);
  });

  it('pages written descending or ascending go out as one write each way', () => {
    const r = recording();
    const f = gatherWrites(r.file, 4 << 20, 0);
    // 255 pages of 4 KiB each way, under the capacity: each direction is one run, written out at the sync.
    for (let p = 254; p >= 0; p--) f.write(page(4096, 1 + (p % 200)), (1 << 20) + p * 4096);
    for (let p = 0; p < 255; p++) f.write(page(4096, 1 + (p % 200)), (4 << 20) + p * 4096);
    f.sync!();
    expect(writes(r.calls)).toEqual([`write ${1 << 20}+${255 * 4096}`, `write ${4 << 20}+${255 * 4096}`]);
    expect(r.bytes()[(1 << 20) + 7 * 4096]).toBe(8);
    expect(r.bytes()[(4 << 20) + 254 * 4096]).toBe(55);
  });

  it('truncate writes what is held back first, so the new size is what SQLite asked for', () => {
    const r = recording();
    const f = gatherWrites(r.file, 64);
    f.write(page(10, 1), 0);
    f.truncate(6);
    expect(r.calls).toEqual(['write 0+10', 'truncate 6']);
    expect(r.bytes().byteLength).toBe(6);
  });

  it('a held-back write that fails fails every later call, and close still closes', () => {
    const r = recording(1);
    const f = gatherWrites(r.file, 64);
    f.write(page(8, 1), 0);
    expect(() => f.sync!()).toThrow('disk full');
    expect(() => f.read(new Uint8Array(8), 0)).toThrow('disk full');
    expect(() => f.size()).toThrow('disk full');
    expect(() => f.write(page(8, 2), 8)).toThrow('disk full');
    expect(() => f.close()).toThrow('disk full');
    expect(writes(r.calls)).toEqual(['write 0+8']);
    expect(r.calls.at(-1)).toBe('close');
  });

  it('reads, sizes and the file written out match a plain file through any mix of calls', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed);
      const plain = recording();
      const under = recording();
      // Small capacities and gaps so every path (joins, merges, growth, capacity flushes) runs.
      const f = gatherWrites(under.file, 8 + next(120), next(3) === 0 ? 0 : next(24));
      for (let step = 0; step < 400; step++) {
        const op = next(20);
        const pos = next(200);
        const len = 1 + next(next(4) === 0 ? 150 : 12);
        if (op < 12) {
          const bytes = new Uint8Array(len);
          for (let k = 0; k < len; k++) bytes[k] = 1 + next(250);
          plain.file.write(bytes, pos);
          f.write(bytes, pos);
        } else if (op < 18) {
          const a = new Uint8Array(len).fill(0xaa);
          const b = new Uint8Array(len).fill(0xaa);
          const na = plain.file.read(a, pos);
          const nb = f.read(b, pos);
          expect([seed, step, nb]).toEqual([seed, step, na]);
          expect(b.subarray(0, nb)).toEqual(a.subarray(0, na));
        } else if (op === 18) {
          const size = next(220);
          plain.file.truncate(size);
          f.truncate(size);
        } else {
          expect(f.size()).toBe(plain.bytes().byteLength);
        }
      }
      f.sync!();
      expect([seed, under.bytes()]).toEqual([seed, plain.bytes()]);
    }
  });
});
