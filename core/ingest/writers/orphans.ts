// After fleet data arrives: events and keys imported before their devices were known are attached to them.
import { linkOrphanEvents } from '../../store/event-writes.js';
import { linkKeys, orphanKeys } from '../../store/keys.js';
import type { Workspace } from '../../workspace.js';
import type { DeviceIndex } from '../identity.js';
import { keyHostHint } from './keys.js';

/** Returns how many events found their device (their devices are not known here: the analysis redoes every one). */
export function linkOrphans(ws: Workspace, idx: DeviceIndex): number {
  const events = linkOrphanEvents(ws.db);
  const links: [number, number][] = [];
  for (const k of orphanKeys(ws.db)) {
    const h = keyHostHint(k.host_hint);
    const id = idx.lookup(h.key, h.hostKey);
    if (id !== null) links.push([id, k.id]);
  }
  linkKeys(ws.db, links);
  return events;
}
