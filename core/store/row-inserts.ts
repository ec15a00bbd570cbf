// Many rows to one INSERT statement, bound through sqlite's C API (DirectStatement).
import type { Db } from './db.js';
import { DirectStatement, type InsertValue } from './fast-insert.js';

/**
 * An insert of many rows, `perRun` rows to a statement: `INSERT ... VALUES (…),(…),…`. Run one row at a time, each
 * run opens its cursors again and looks each foreign key's parent up from the top of its table; a run of many rows
 * opens them once (about a quarter of an event's insert). Rows are inserted in the order they were added, so they get
 * the ids one statement per row would give. Rows wait here until `perRun` are in hand: call flush() before anything
 * reads the table, and before the statements are freed.
 *
 * 256 rows, not 64: inside an import's savepoints each statement that writes several rows opens a statement journal
 * (a foreign key makes every such insert one that may abort), and copies the pages it changes that were there before
 * it (the table's last leaf and its parents) into SQLite's sub-journal, a temp file once it passes 64 KiB: about
 * three page writes a statement, 0.9 GB of temp-file writes for the bench's 5 M events at 64 a statement. A tail is
 * written `perRun / 16` rows to a statement, then one at a time.
 */
export class RowInserts {
  private readonly many: DirectStatement;
  private readonly some: DirectStatement | null;
  private readonly one: DirectStatement;
  /** Rows to the tail's statement (`some`). */
  private readonly mid: number;
  private readonly flat: InsertValue[];
  private readonly row: InsertValue[];
  private n = 0;

  /** `tuple`: one row's `(?,?,…)`, with any constants written in; `width`: its parameters. */
  constructor(
    db: Db,
    head: string,
    tuple: string,
    private readonly width: number,
    private readonly perRun = 256,
  ) {
    this.many = new DirectStatement(
      db,
      `${head} VALUES ${new Array<string>(perRun).fill(tuple).join(',')}`,
      width * perRun,
    );
    this.mid = perRun >> 4;
    this.some =
      this.mid > 1
        ? new DirectStatement(
            db,
            `${head} VALUES ${new Array<string>(this.mid).fill(tuple).join(',')}`,
            width * this.mid,
          )
        : null;
    this.one = new DirectStatement(db, `${head} VALUES ${tuple}`, width);
    this.flat = new Array<InsertValue>(width * perRun).fill(null);
    this.row = new Array<InsertValue>(width).fill(null);
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

  /** Inserts the rows still waiting: `mid` to a statement while that many are left, then one a statement. */
  flush(): void {
    const w = this.width;
    const pending = this.n;
    this.n = 0;
    let r = 0;
    if (this.some)
      for (; r + this.mid <= pending; r += this.mid) this.some.run(this.flat.slice(r * w, (r + this.mid) * w));
    for (; r < pending; r++) {
      for (let i = 0; i < w; i++) this.row[i] = this.flat[r * w + i]!;
      this.one.run(this.row);
    }
  }

  free(): void {
    this.many.free();
    this.some?.free();
    this.one.free();
  }
}
