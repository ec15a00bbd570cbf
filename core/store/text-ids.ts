// A column's distinct texts numbered by their bytes where SQLite left them (read by DirectStatement.textId).

/**
 * The distinct texts of a column read by DirectStatement.textId, numbered from 0 in order of first sight: by their
 * bytes (a hash, then a compare of the bytes) when the module's memory can be read, else by the text itself.
 */
export class TextIds {
  private readonly byHash = new Map<number, number[]>();
  private readonly bytes: Uint8Array[] = [];
  private readonly texts: string[] = [];
  private readonly byText = new Map<string, number>();

  /** How many distinct texts so far. */
  get size(): number {
    return this.texts.length;
  }

  /** The text of an id. */
  text(id: number): string {
    return this.texts[id]!;
  }

  /** The id of a text read as a string (no C API memory to read): equal strings, one id. */
  idOf(t: string): number {
    let id = this.byText.get(t);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(t);
      this.byText.set(t, id);
    }
    return id;
  }

  /** The id of the `n` bytes at `p` in `heap`: equal bytes, one id; `decode` makes the text of bytes not seen before. */
  idOfBytes(heap: Uint8Array, p: number, n: number, decode: () => string): number {
    // FNV-1a over the bytes, then the bytes themselves compared against each text of that hash.
    let h = 0x811c9dc5 ^ n;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ heap[p + k]!, 0x01000193);
    let list = this.byHash.get(h);
    if (list) {
      for (const id of list) {
        const b = this.bytes[id]!;
        if (b.length !== n) continue;
        let k = 0;
        while (k < n && b[k] === heap[p + k]) k++;
        if (k === n) return id;
      }
    } else this.byHash.set(h, (list = []));
    const id = this.texts.length;
    this.bytes.push(heap.slice(p, p + n));
    this.texts.push(decode());
    list.push(id);
    return id;
  }
}
