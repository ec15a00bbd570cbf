// What a bench run's memory is made of: sql.js's wasm heap and its MEMFS files (database, journals, temp files).
const MiB = 1 << 20;

type Resizable = { resize(n: number): void };

let watching = false;
/** Every wasm memory instantiated since: sql.js's is the largest (Node's own wasm, undici's llhttp, is small). */
const memories: WebAssembly.Memory[] = [];
/** Each MEMFS file that grew in place (ringsideGrow, patches/sql.js+1.16.0.patch): the largest it has been. */
const files = new Map<WeakRef<ArrayBuffer>, number>();
const seen = new WeakMap<ArrayBuffer, WeakRef<ArrayBuffer>>();

/**
 * Starts watching; call before sql.js is first loaded. It finds the wasm memory when the module is instantiated, and
 * each MEMFS file when it grows (a file grows by resizing its resizable buffer, 16 MiB at a time): the buffers are
 * held weakly, so a file SQLite has closed (a sub-journal, a sort's spill file) is still counted at its largest.
 */
export function watchMemory(): void {
  if (watching) return;
  watching = true;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...a: unknown[]) => Promise<unknown>;
  (WebAssembly as unknown as { instantiate: unknown }).instantiate = async (...args: unknown[]) => {
    const r = (await instantiate(...args)) as { instance?: WebAssembly.Instance } & WebAssembly.Instance;
    // Given a Module, instantiate returns the Instance itself.
    for (const v of Object.values((r.instance ?? r).exports ?? {}))
      if (v instanceof WebAssembly.Memory) memories.push(v);
    return r;
  };
  const proto = ArrayBuffer.prototype as unknown as Resizable;
  const resize = proto.resize;
  proto.resize = function (this: ArrayBuffer, n: number) {
    resize.call(this, n);
    let ref = seen.get(this);
    if (!ref) seen.set(this, (ref = new WeakRef(this)));
    files.set(ref, Math.max(files.get(ref) ?? 0, this.byteLength));
  };
}

export interface MemoryParts {
  /** sql.js's wasm memory (page cache, sorter, statements, malloc'd buffers): its high-water, as it never shrinks. */
  wasmMiB: number;
  /** The largest each MEMFS file has been (MiB, largest first): the database file, then journals and temp files. */
  filesMiB: number[];
  /** The MEMFS files not yet collected, at their size now (MiB, largest first). */
  liveMiB: number[];
}

export function memoryParts(): MemoryParts {
  return {
    wasmMiB: Math.max(0, ...memories.map((m) => m.buffer.byteLength)) / MiB,
    filesMiB: [...files.values()].map((b) => b / MiB).sort((a, b) => b - a),
    liveMiB: [...files.keys()]
      .map((r) => (r.deref()?.byteLength ?? 0) / MiB)
      .filter((x) => x > 0)
      .sort((a, b) => b - a),
  };
}
