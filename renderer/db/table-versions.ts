// Per-table change counters: a query re-runs only when a table it read changed after the query started.

/** Stands for "every table": a schema change, or a statement whose tables could not be worked out. */
export const ALL_TABLES = '*';

export class TableVersions {
  /** Counts every change; a query remembers the value it started at. */
  version = 0;
  private readonly last = new Map<string, number>();
  private all = 0;

  /** Records one change to these tables; returns false (and counts nothing) when none changed. */
  bump(tables: readonly string[]): boolean {
    if (tables.length === 0) return false;
    this.version += 1;
    for (const t of tables) {
      if (t === ALL_TABLES) this.all = this.version;
      else this.last.set(t, this.version);
    }
    return true;
  }

  /**
   * Whether a query that read these tables, starting at version `since`, is out of date. A query whose tables are
   * not known yet (undefined) or include '*' is out of date after any change.
   */
  changedSince(tables: readonly string[] | undefined, since: number): boolean {
    if (this.all > since) return true;
    if (!tables || tables.includes(ALL_TABLES)) return this.version > since;
    return tables.some((t) => (this.last.get(t) ?? -1) > since);
  }

  /** The version a query should run at: `since` while none of its tables changed after it, else the current one. */
  runVersion(tables: readonly string[] | undefined, since: number | undefined): number {
    return since === undefined || this.changedSince(tables, since) ? this.version : since;
  }
}
