// Named queries on the schema itself (not on any entity): which table each b-tree root page belongs to.

/** Root page → table, for tables and their indexes; the renderer's worker maps EXPLAIN's cursors to tables with it. */
export const ROOT_PAGES_SQL = "SELECT rootpage, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')";
