// Many rows to one INSERT statement, bound through sqlite's C API (DirectStatement).
import type { Db } from './db.js';
import { DirectStatement, type InsertValue } from './fast-insert.js';

/**
 * An insert of many rows, `perRun` rows to a statement: `INSERT ... VALUES (…),(…),…`. Run one row at a time, each
 * run opens its cursors again and looks each foreign key's parent up from the top of its table; a run of many rows
 * opens them once (about a quarter of an event's insert). Rows are inserted in the order they were added, so they get
 * the ids one statement per row would give. Rows wait here until `perRun` are in hand: call flush() before anything
 * reads the table, and before the statements are freed.
 */
export class RowInserts {
  private readonly many: DirectStatement;
  private readonly one: DirectStatement;
  private readonly flat: InsertValue[];
  private readonly row: InsertValue[];
  private n = 0;

  /** `tuple`: one row's `(?,?,…)`, with any constants written in; `width`: its parameters. */
  constructor(
    db: Db,
    head: string,
    tuple: string,
    private readonly width: number,
    private readonly perRun = 64,
  ) {
    this.many = new DirectStatement(
      db,
      `${head} VALUES ${new Array<string>(perRun).fill(tuple).join(',')}`,
      width * perRun,
    );
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

  /** Inserts the rows still waiting, one statement each. */
  flush(): void {
    const w = this.width;
    const pending = this.n;
    this.n = 0;
    for (let r = 0; r < pending; r++) {
      for (let i = 0; i < w; i++) this.row[i] = this.flat[r * w + i]!;
      this.one.run(this.row);
    }
  }

  free(): void {
    this.many.free();
    this.one.free();
  }
}
