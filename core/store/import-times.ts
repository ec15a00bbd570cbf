// Named queries for the imports' "as of" times: the newest export per source and the exports along the time axis.
import type { Db } from './db.js';

/** The newest finished fleet or rollout import per format (bare columns of MAX() come from the row holding it). */
export function newestPerFormat(db: Db): Array<{ format: string; file: string; asOf: number }> {
  return db.all<{ format: string; file: string; asOf: number }>(
    `SELECT format, file_name AS file, MAX(as_of) AS asOf FROM imports
     WHERE as_of IS NOT NULL AND finished_at IS NOT NULL AND kind IN ('fleet', 'rollout') GROUP BY format ORDER BY format`,
  );
}

/** Finished fleet and rollout imports per "as of" time, oldest first, with their file names one per line. */
export function byAsOf(db: Db): Array<{ t: number; files: string }> {
  return db.all<{ t: number; files: string }>(
    `SELECT as_of AS t, group_concat(file_name, '\n') AS files FROM imports
     WHERE as_of IS NOT NULL AND finished_at IS NOT NULL AND kind IN ('fleet', 'rollout') GROUP BY as_of ORDER BY as_of`,
  );
}
