// Migration 40: fleet facts read from the source rows in place (a view), no longer copied into stored_facts (issue 14).
import type { Migration } from '../migrate.js';

// Each fleet row (Falcon, Intune, Entra, AD, …) made up to four stored facts: its check-in ('seen'), its sensor and
// OS versions and its ring. At a million devices that was 5.8 M rows and their device index written by every fleet
// file, and read again by the batch end: the largest part of the kept rows. Now the values live on the row's
// device_sources record (fact_*), and `source_facts` makes the 0–4 facts of each row from them: the record times a
// tiny table of the four kinds (fact_kinds), a fact wherever the kind's value is set, as the bulk writer made them.
// The check-in's value is the file's last-seen column name, one per import (imports.seen_field).
//
// Ids: a fleet fact is 5e14 + source id × 4 + kind (0 check-in, 1 sensor, 2 OS, 3 ring): above every stored rowid,
// below every event fact (1e15 +, migration 35). Ties among facts of one device, class and time still go to the lower
// id: fleet facts in file order, each row's in the order it wrote them, after every stored fact.
//
// An existing workspace: each stored fleet fact (no event, no result, not derived; its file and line a source row's)
// is moved onto its source row, a device decided by it is pointed at its fact in the view, then the copies are
// deleted, so nothing is counted twice. A fact follows its source row's device (the two only differed after a review
// split, which moved the row but not its facts).
const FLEET_FACT_ID = 500_000_000_000_000;

const migration: Migration = {
  version: 40,
  name: 'fleet-facts-in-place',
  sql: `
ALTER TABLE device_sources ADD COLUMN fact_seen INTEGER;
ALTER TABLE device_sources ADD COLUMN fact_at INTEGER;
ALTER TABLE device_sources ADD COLUMN fact_as_of INTEGER;
ALTER TABLE device_sources ADD COLUMN fact_sensor TEXT;
ALTER TABLE device_sources ADD COLUMN fact_os TEXT;
ALTER TABLE device_sources ADD COLUMN fact_ring TEXT;
ALTER TABLE device_sources ADD COLUMN fact_ring_type TEXT;
ALTER TABLE imports ADD COLUMN seen_field TEXT;
CREATE TABLE fact_kinds(k INTEGER PRIMARY KEY);
INSERT INTO fact_kinds(k) VALUES (0), (1), (2), (3);

CREATE TEMP TABLE _fleet AS
  SELECT f.id AS fid, s.id AS sid,
    CASE WHEN f.class = 'seen' AND f.type = 'last_seen' THEN 0
      WHEN f.class = 'version' AND f.type = 'sensor' THEN 1
      WHEN f.class = 'version' AND f.type = 'os' THEN 2
      WHEN f.class = 'ring' THEN 3 END AS k,
    f.type, f.value, f.ts, f.as_of, f.import_id
  FROM stored_facts f JOIN device_sources s ON s.import_id = f.import_id AND s.line = f.line AND s.source = f.source
  WHERE f.event_id IS NULL AND f.result_id IS NULL AND f.derived = 0;
DELETE FROM temp._fleet WHERE k IS NULL;
UPDATE device_sources SET fact_seen = m.seen, fact_at = m.at, fact_as_of = m.as_of, fact_sensor = m.sensor,
    fact_os = m.os, fact_ring = m.ring, fact_ring_type = m.ring_type
  FROM (SELECT sid, MAX(CASE WHEN k = 0 THEN ts END) AS seen, MAX(CASE WHEN k > 0 THEN ts END) AS at,
      MAX(CASE WHEN k > 0 THEN as_of END) AS as_of, MAX(CASE WHEN k = 1 THEN value END) AS sensor,
      MAX(CASE WHEN k = 2 THEN value END) AS os, MAX(CASE WHEN k = 3 THEN value END) AS ring,
      MAX(CASE WHEN k = 3 THEN type END) AS ring_type
    FROM temp._fleet GROUP BY sid) AS m
  WHERE device_sources.id = m.sid;
UPDATE imports SET seen_field = (SELECT value FROM temp._fleet WHERE k = 0 AND import_id = imports.id LIMIT 1);
UPDATE devices SET decided_by = (SELECT ${FLEET_FACT_ID} + sid * 4 + k FROM temp._fleet WHERE fid = devices.decided_by)
  WHERE decided_by IN (SELECT fid FROM temp._fleet);
DELETE FROM stored_facts WHERE id IN (SELECT fid FROM temp._fleet);
DROP TABLE temp._fleet;

CREATE VIEW source_facts AS
  SELECT ${FLEET_FACT_ID} + s.id * 4 + k.k AS id, s.device_id,
    CASE k.k WHEN 0 THEN 'seen' WHEN 3 THEN 'ring' ELSE 'version' END AS class,
    CASE k.k WHEN 0 THEN 'last_seen' WHEN 1 THEN 'sensor' WHEN 2 THEN 'os' ELSE s.fact_ring_type END AS type,
    CASE k.k WHEN 0 THEN (SELECT i.seen_field FROM imports i WHERE i.id = s.import_id) WHEN 1 THEN s.fact_sensor
      WHEN 2 THEN s.fact_os ELSE s.fact_ring END AS value,
    CASE k.k WHEN 0 THEN s.fact_seen ELSE s.fact_at END AS ts,
    CASE k.k WHEN 0 THEN 0 ELSE s.fact_as_of END AS as_of,
    s.import_id, s.line, s.source, NULL AS event_id, NULL AS result_id, 0 AS derived
  FROM device_sources s CROSS JOIN fact_kinds k
  WHERE CASE k.k WHEN 0 THEN s.fact_seen WHEN 1 THEN s.fact_sensor WHEN 2 THEN s.fact_os ELSE s.fact_ring END
    IS NOT NULL;
DROP VIEW facts;
CREATE VIEW facts AS
  SELECT id, device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived
  FROM stored_facts
  UNION ALL
  SELECT id, device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived
  FROM source_facts
  UNION ALL
  SELECT id, device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived
  FROM event_facts;
`,
};
export default migration;
