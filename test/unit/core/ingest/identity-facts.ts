// One device's facts as an importer hands them to identity resolution: every field empty but the name, unless given.
import type { DeviceFacts } from '../../../../core/ingest/identity.js';

export function facts(over: Partial<DeviceFacts>): DeviceFacts {
  const hostname = over.hostname ?? 'PC-1';
  return {
    hostname,
    hostKey: hostname.toUpperCase(),
    aid: null,
    entra: null,
    intune: null,
    serial: null,
    site: null,
    ring: null,
    ringSource: null,
    platform: null,
    osVersion: null,
    deviceType: null,
    agentVersion: null,
    firstSeen: null,
    lastSeen: null,
    tags: '',
    user: null,
    model: null,
    ...over,
  };
}
