// An in-memory StorageFs that models power loss: unsynced file data and un-fsynced directory entries can vanish.
import { constants as fsc } from 'node:fs';
import path from 'node:path';
import type { StorageFs } from '../../electron/storage.js';

interface Inode {
  live: Uint8Array;
  durable: Uint8Array;
}

function errno(code: string, msg: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${msg}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

export class PowerLossFs {
  /** Names as the running program sees them, and as they are on the platter (only after a directory fsync). */
  private live = new Map<string, Inode>();
  private durable = new Map<string, Inode>();
  private ops = 0;
  private dead = false;

  /** Every mutating call counts as one operation; at `crashAt` power goes out before the call takes effect. */
  crashAt = Number.POSITIVE_INFINITY;

  get operations(): number {
    return this.ops;
  }

  private step(what: string): void {
    if (this.dead) throw errno('EIO', `power is off (${what})`);
    this.ops++;
    if (this.ops >= this.crashAt) {
      this.dead = true;
      throw errno('EIO', `power lost at ${what}`);
    }
  }

  /**
   * Power comes back: directory entries revert to their last fsync, file contents to their last fsync. With
   * `tornTail`, an appended-to file keeps a prefix of its unsynced tail, as a real disk may.
   */
  powerCycle(tornTail: (unsynced: number) => number = () => 0): void {
    for (const inode of new Set([...this.live.values(), ...this.durable.values()])) {
      const { live, durable } = inode;
      let keep = durable;
      const appended = live.length > durable.length && durable.every((b, i) => live[i] === b);
      if (appended) keep = live.subarray(0, durable.length + tornTail(live.length - durable.length));
      inode.live = new Uint8Array(keep);
      inode.durable = new Uint8Array(keep);
    }
    this.live = new Map(this.durable);
    this.dead = false;
    this.crashAt = Number.POSITIVE_INFINITY;
  }

  readonly fs: StorageFs = {
    open: (async (p: string, flags?: string | number) => {
      const name = path.resolve(p);
      if (flags === 'r') {
        // Only directories are opened read-only by the storage layer (for fsync).
        return {
          sync: async () => {
            this.step(`fsync dir ${name}`);
            for (const k of [...this.durable.keys()])
              if (path.dirname(k) === name && !this.live.has(k)) this.durable.delete(k);
            for (const [k, v] of this.live) if (path.dirname(k) === name) this.durable.set(k, v);
          },
          close: async () => undefined,
        };
      }
      this.step(`open ${path.basename(name)}`);
      const append = typeof flags === 'number';
      let inode = this.live.get(name);
      if (flags === 'wx' && inode) throw errno('EEXIST', name);
      if (append && !inode && !((flags as number) & fsc.O_CREAT)) throw errno('ENOENT', name);
      if (!inode) {
        inode = { live: new Uint8Array(0), durable: new Uint8Array(0) };
        this.live.set(name, inode);
      } else if (!append) inode.live = new Uint8Array(0);
      const node = inode;
      return {
        writeFile: async (data: Uint8Array | string) => {
          this.step(`write ${path.basename(name)}`);
          const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
          node.live = append ? concat(node.live, bytes) : new Uint8Array(bytes);
        },
        sync: async () => {
          this.step(`fsync ${path.basename(name)}`);
          node.durable = new Uint8Array(node.live);
        },
        stat: async () => ({ size: node.live.length }),
        truncate: async (n = 0) => {
          this.step(`truncate ${path.basename(name)}`);
          node.live = node.live.slice(0, n);
        },
        close: async () => undefined,
      };
    }) as unknown as StorageFs['open'],
    rename: async (a, b) => {
      const from = path.resolve(String(a));
      const to = path.resolve(String(b));
      this.step(`rename ${path.basename(from)}`);
      const inode = this.live.get(from);
      if (!inode) throw errno('ENOENT', from);
      this.live.delete(from);
      this.live.set(to, inode);
    },
    rm: async (p) => {
      this.step(`rm ${path.basename(String(p))}`);
      this.live.delete(path.resolve(String(p)));
    },
    readFile: (async (p: string, enc?: string) => {
      if (this.dead) throw errno('EIO', 'power is off');
      const inode = this.live.get(path.resolve(String(p)));
      if (!inode) throw errno('ENOENT', String(p));
      return enc ? new TextDecoder().decode(inode.live) : Buffer.from(inode.live);
    }) as unknown as StorageFs['readFile'],
    stat: (async (p: string) => {
      const inode = this.live.get(path.resolve(String(p)));
      if (!inode) throw errno('ENOENT', String(p));
      return { size: inode.live.length };
    }) as unknown as StorageFs['stat'],
    copyFile: async () => {
      throw errno('ENOTSUP', 'copyFile is not used');
    },
    readdir: async (d) =>
      [...this.live.keys()].filter((k) => path.dirname(k) === path.resolve(d)).map((k) => path.basename(k)),
  };
}
