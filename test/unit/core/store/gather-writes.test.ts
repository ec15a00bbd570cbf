// gatherWrites: contiguous writes reach the host file as one call, and nothing read, sized or closed misses a write.
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
      data = data.slice(0, size);
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

describe('gatherWrites', () => {
  it('a run of contiguous writes is one write; a jump, a read, a size, a sync or the capacity ends the run', () => {
    const r = recording();
    const f = gatherWrites(r.file, 16);
    f.write(page(4, 1), 0);
    f.write(page(4, 2), 4);
    f.write(page(4, 3), 8);
    expect(r.calls).toEqual([]);
    f.write(page(4, 4), 100); // not contiguous: the first run goes out
    expect(r.calls).toEqual(['write 0+12']);
    f.write(page(8, 5), 104);
    f.write(page(8, 6), 112); // 4 + 8 + 8 > 16: the run so far goes out first
    expect(r.calls).toEqual(['write 0+12', 'write 100+12']);
    const into = new Uint8Array(4);
    expect(f.read(into, 112)).toBe(4); // a read sees what was written just before it
    expect([...into]).toEqual([6, 6, 6, 6]);
    expect(r.calls.slice(2)).toEqual(['write 112+8', 'read 112+4']);
    f.write(page(2, 7), 0);
    expect(f.size()).toBe(120);
    f.write(page(2, 8), 2);
    f.sync!();
    expect(r.calls.slice(4)).toEqual(['write 0+2', 'size', 'write 2+2', 'sync']);
    f.write(page(40, 9), 200); // larger than the capacity: straight through
    expect(r.calls.at(-1)).toBe('write 200+40');
    f.write(page(3, 10), 240);
    f.close();
    expect(r.calls.slice(-2)).toEqual(['write 240+3', 'close']);
    expect([...r.bytes().subarray(0, 4)]).toEqual([7, 7, 8, 8]);
    expect([...r.bytes().subarray(4, 12)]).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    expect(r.bytes().byteLength).toBe(243);
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
    expect(() => f.read(new Uint8Array(8), 0)).toThrow('disk full');
    expect(() => f.size()).toThrow('disk full');
    expect(() => f.write(page(8, 2), 8)).toThrow('disk full');
    expect(() => f.sync!()).toThrow('disk full');
    expect(() => f.close()).toThrow('disk full');
    expect(r.calls.filter((c) => c.startsWith('write'))).toEqual(['write 0+8']);
    expect(r.calls.at(-1)).toBe('close');
  });
});
