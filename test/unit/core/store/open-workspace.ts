// A workspace on real sql.js for the migration tests: a fixed key and clock, new or from an image.
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

/** Opens `bytes` (a new workspace without them) with the tests' fixed key and a clock at 0. */
export const open = async (bytes?: Uint8Array): Promise<Workspace> =>
  openWorkspace({
    SQL: await loadSqlJs(),
    bytes: bytes ?? null,
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => 0,
  });
