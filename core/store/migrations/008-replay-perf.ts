// Migration 8: the replay's packed per-content arrays (one row, binary columns) and a counter of ring overrides.
import type { Migration } from '../migrate.js';

// replay_packed holds, per content (package@version), the receiving devices in receipt order as little-endian typed
// arrays, so a replay reads one row instead of one row per device. It is valid while `fingerprint` matches the
// events, imports, device ids and replay_ring_gen.gen; console/field ring overrides do not add events or imports, so
// a trigger counts them (only when the value really changes, so bulk loads that rewrite rows pay nothing extra).
const migration: Migration = {
  version: 8,
  name: 'replay-perf',
  sql: `
CREATE TABLE replay_packed(
  content TEXT PRIMARY KEY,         -- package@version
  fingerprint TEXT NOT NULL,
  devices INTEGER NOT NULL,         -- receiving devices (the length of each array)
  crashed INTEGER NOT NULL,         -- of those, with a crash at or after receipt
  rings TEXT NOT NULL,              -- JSON [{name, members}]: imported ring names (index = group) and fleet members
  fleet INTEGER NOT NULL,           -- real machines (stale records excluded)
  source TEXT,                      -- event source of the receipts (falcon, intune, ...)
  ring_of BLOB NOT NULL,            -- Int32Array: group index per device
  received_at BLOB NOT NULL,        -- Float64Array: receipt time (ms), ascending
  crashed_at BLOB NOT NULL,         -- Float64Array: first crash at or after receipt, NaN = none
  failed_at BLOB NOT NULL,          -- Float64Array: first failure at or after receipt, NaN = none
  built_at INTEGER NOT NULL
);
CREATE TABLE replay_ring_gen(id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);
INSERT INTO replay_ring_gen(id, gen) VALUES (1, 0);
CREATE TRIGGER tr_replay_ring_override AFTER UPDATE OF ring_override ON devices
  WHEN OLD.ring_override IS NOT NEW.ring_override
BEGIN
  UPDATE replay_ring_gen SET gen = gen + 1 WHERE id = 1;
END;
`,
};
export default migration;
