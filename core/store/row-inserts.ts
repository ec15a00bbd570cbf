// Many rows to one INSERT statement, bound through sqlite's C API (DirectStatement).
import type { Db } from './db.js';
import { DirectStatement, type InsertValue } from './fast-insert.js';

/**
 * An insert of many rows, `perRun` rows to a statement: `INSERT ... VALUES (…),(…),…`. Run one row at a time, each
 * run opens its cursors again and looks each foreign key's parent up from the top of its table; a run of many rows
 * opens them once (about a quarter of an event's insert). Rows are inserted in the order they were added, so they get
 * the ids one statement per row would give. Rows wait here until `perRun` are in hand: call flush() before anything
 * reads the table, and before the statements are freed. A flush writes what waits in statements of halving sizes
 * (128, 64, …, 1 rows for 256): a bulk fleet file flushes its device inserts before each merge's read, about 2,000
 * times with 31k rows waiting in the 100k Falcon file, and one statement per row was most of those rows' insert.
 *
 * 256 rows, not 64: inside an import's savepoints each statement that writes several rows opens a statement journal
 * (a foreign key makes every such insert one that may abort), and copies the pages it changes that were there before
 * it (the table's last leaf and its parents) into SQLite's sub-journal, a temp file once it passes 64 KiB: about
 * three page writes a statement, 0.9 GB of temp-file writes for the bench's 5 M events at 64 a statement.
 */
export class RowInserts {
  private readonly many: DirectStatement;
  /** The flush's statements by their rows (made when first needed), and one values array each. */
  private readonly fewer = new Map<number, { st: DirectStatement; v: InsertValue[] }>();
  private readonly flat: InsertValue[];
  private n = 0;

  /** `tuple`: one row's `(?,?,…)`, with any constants written in; `width`: its parameters. */
  constructor(
    private readonly db: Db,
    private readonly head: string,
    private readonly tuple: string,
    private readonly width: number,
    private readonly perRun = 256,
  ) {
    this.many = this.statement(perRun);
    this.flat = new Array<InsertValue>(width * perRun).fill(null);
  }

  private statement(rows: number): DirectStatement {
    return new DirectStatement(
      this.db,
      `${this.head} VALUES ${new Array<string>(rows).fill(this.tuple).join(',')}`,
      this.width * rows,
    );
  }

  /** Adds a row (its values are copied). */
  add(v: InsertValue[]): void {
    const w = this.width;
    const flat = this.flat;
    const at = this.n * w;
    for (let i = 0; i < w; i++) flat[at + i] = v[i]!;
    if (++this.n === this.perRun) {
      this.n = 0;
      this.many.run(flat);
    }
  }

  /** Inserts the rows still waiting, in order: as many of the largest statement below perRun as fit, then smaller. */
  flush(): void {
    const w = this.width;
    let left = this.n;
    this.n = 0;
    let at = 0;
    for (let k = Math.max(1, this.perRun >> 1); left > 0; k = Math.max(1, k >> 1)) {
      if (left < k) continue;
      let f = this.fewer.get(k);
      if (!f) this.fewer.set(k, (f = { st: this.statement(k), v: new Array<InsertValue>(w * k).fill(null) }));
      for (; left >= k; left -= k, at += k * w) {
        for (let i = 0; i < k * w; i++) f.v[i] = this.flat[at + i]!;
        f.st.run(f.v);
      }
    }
  }

  free(): void {
    this.many.free();
    for (const f of this.fewer.values()) f.st.free();
    this.fewer.clear();
  }
}
