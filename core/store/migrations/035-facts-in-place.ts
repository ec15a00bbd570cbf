// Migration 35: event facts read from the events table in place (a view), no longer copied into a table (issue 14).
import type { Migration } from '../migrate.js';

// Half the facts were copies of events (one per crash, restart, receipt, check-in or outcome row): at 1 M devices the
// copy and the rebuild of its device index took 14 s of each batch end, and the copies and their index a sixth of the
// image. Now the table keeps only the facts that are not an event row as it stands: fleet facts (check-in, versions,
// ring), field results, the ring facts of update-ring reports (an event that makes two facts) and derived facts.
// `event_facts` is a view of the events that make a fact, and `facts` the UNION ALL of the stored facts and it; every
// reader reads `facts`, but for a lookup correlated with another table, which reads the two apart (store/facts.ts):
// SQLite pushes a constant term into each arm of a UNION ALL view, never a correlated one.
//
// Ids: a stored fact keeps its rowid (1, 2, …); an event's fact is 1e15 + the event's id. Stored rowids never come near
// 1e15 and both stay exact in a double (< 2^53), so the two never collide and each is stable while its row lives.
// Ties among facts of one device, class and time go to the lower id: a stored fact first, events in file order.
//
// An existing workspace: a device decided by a copied event fact is pointed at that event's fact in the view, then the
// copies are deleted, so nothing is counted twice. The CASEs below are the ones the copy used (store/facts.ts before
// this migration): a failed row makes a fact only when it names a reimage; OS update reports (Autopatch, WUfB,
// ConfigMgr) say the device was online (or, as of the export, its update status), never that content arrived.
const OS_UPDATE = "source IN ('autopatch', 'wufb', 'configmgr')";
const REIMAGE = "lower(COALESCE(detail, '')) LIKE '%reimage%'";
const UNCLEAN = "(detail LIKE 'unclean restart%' OR detail LIKE 'unexpected shutdown%')";
const RECEIPT_CLASS = `CASE WHEN ${OS_UPDATE} THEN CASE WHEN as_of THEN 'update' ELSE 'seen' END ELSE 'content' END`;
const RECEIPT_TYPE = `CASE WHEN ${OS_UPDATE} THEN 'update_status' ELSE kind END`;
const EVENT_FACT_ID = 1_000_000_000_000_000;

const migration: Migration = {
  version: 35,
  name: 'facts-in-place',
  sql: `
UPDATE devices SET decided_by = (SELECT f.event_id + ${EVENT_FACT_ID} FROM facts f WHERE f.id = devices.decided_by)
  WHERE decided_by IN (SELECT id FROM facts WHERE event_id IS NOT NULL AND class <> 'ring' AND derived = 0);
DELETE FROM facts WHERE event_id IS NOT NULL AND class <> 'ring' AND derived = 0;
ALTER TABLE facts RENAME TO stored_facts;
CREATE VIEW event_facts AS
  SELECT id + ${EVENT_FACT_ID} AS id, device_id,
    CASE kind
      WHEN 'crashed' THEN 'crash'
      WHEN 'installed' THEN ${RECEIPT_CLASS}
      WHEN 'received' THEN ${RECEIPT_CLASS}
      WHEN 'rebooted' THEN 'restart'
      WHEN 'online' THEN 'seen'
      WHEN 'recovered' THEN 'outcome'
      WHEN 'fixed' THEN 'outcome'
      WHEN 'failed' THEN 'outcome'
    END AS class,
    CASE kind
      WHEN 'crashed' THEN CASE WHEN detail LIKE 'BugCheck 0x%' THEN 'bugcheck' ELSE 'crash' END
      WHEN 'rebooted' THEN CASE WHEN ${UNCLEAN} THEN 'unclean' ELSE 'reboot' END
      WHEN 'installed' THEN ${RECEIPT_TYPE}
      WHEN 'received' THEN ${RECEIPT_TYPE}
      WHEN 'failed' THEN 'reimage'
      ELSE kind
    END AS type,
    CASE WHEN kind IN ('received', 'installed') THEN version ELSE detail END AS value,
    ts, as_of, import_id, line, source, id AS event_id, NULL AS result_id, 0 AS derived
  FROM events
  WHERE kind IN ('received', 'installed', 'crashed', 'rebooted', 'recovered', 'fixed', 'online')
    OR (kind = 'failed' AND ${REIMAGE});
CREATE VIEW facts AS
  SELECT id, device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived
  FROM stored_facts
  UNION ALL
  SELECT id, device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived
  FROM event_facts;
`,
};
export default migration;
