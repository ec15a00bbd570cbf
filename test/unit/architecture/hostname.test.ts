// One hostname normaliser end to end: a script target named by its DN, FQDN or a 17-character name reaches the device.
import { describe, expect, it } from 'vitest';
import { handlers as h } from '../../../core/api/handlers.js';
import { inputFromBytes } from '../../../core/contract/ingest.js';
import { importFiles } from '../../../core/ingest/index.js';
import { findPlaybook } from '../../../core/remediation/library.js';
import { selectDevices } from '../../../core/remediation/generate.js';
import type { Workspace } from '../../../core/workspace.js';
import { emptyWorkspace } from '../core/analysis/fixtures.js';

/** An Intune export whose device names are as long as Windows allows to type (NetBIOS keeps 15 of the 17). */
const INTUNE = [
  'Device name,Serial number,Operating system,OS version,Last check-in',
  'LONGHOSTNAME01234,SN-LONG-1,Windows,10.0.22631.3880,2024-07-19T03:00:00Z',
  'PC-0142,SN-0142,Windows,10.0.22631.3880,2024-07-19T03:00:00Z',
  'PC-0143,SN-0143,Windows,10.0.22631.3880,2024-07-19T03:00:00Z',
].join('\r\n');

async function fleet(): Promise<{ ws: Workspace; id: (name: string) => number }> {
  const ws = await emptyWorkspace();
  const [r] = await importFiles(ws, [inputFromBytes('intune.csv', INTUNE)]);
  expect(r!.rejected).toBe(0);
  const rows = ws.db.all<{ id: number; hostname: string }>('SELECT id, hostname FROM devices');
  expect(rows).toHaveLength(3);
  return { ws, id: (name) => rows.find((x) => x.hostname === name)!.id };
}

describe('a script target reaches its device whatever spelling of the name it uses', () => {
  it('DN, FQDN, DOMAIN\\name$, a 17-character name and lower case all resolve to the one device', async () => {
    const { ws, id } = await fleet();
    const pb = findPlaybook(ws, 'cs-channel-291');
    const pick = (hostnames: string[]) => selectDevices(ws, pb, { hostnames }).map((d) => d.id);
    const long = id('LONGHOSTNAME01234');
    expect(pick(['CN=LONGHOSTNAME01234,OU=Workstations,OU=London,DC=corp,DC=example'])).toEqual([long]);
    expect(pick(['LONGHOSTNAME01234.corp.example.com'])).toEqual([long]);
    expect(pick(['longhostname01234'])).toEqual([long]);
    expect(pick(['CORP\\LONGHOSTNAME01234$'])).toEqual([long]);
    expect(pick(['CN=PC-0142,OU=Clinical,DC=corp,DC=example', 'pc-0143.corp.example'])).toEqual([
      id('PC-0142'),
      id('PC-0143'),
    ]);
  });

  it('a wrong name reaches nothing, not a neighbour', async () => {
    const { ws } = await fleet();
    const pb = findPlaybook(ws, 'cs-channel-291');
    const pick = (hostnames: string[]) => selectDevices(ws, pb, { hostnames }).map((d) => d.id);
    expect(pick(['CN=LONGHOSTNAME99999,OU=Workstations,DC=corp,DC=example'])).toEqual([]);
    expect(pick(['PC-014.corp.example'])).toEqual([]);
    expect(pick(['CN=PC-0144,DC=corp'])).toEqual([]);
    // The DN's other parts are not names: an OU or DC spelled like a host does not match.
    expect(pick(['CN=NOBODY,OU=PC-0142,DC=corp'])).toEqual([]);
  });

  it('the generator reaches the devices named by DN: scripts for one, a named refusal for the 17-character one', async () => {
    const { ws, id } = await fleet();
    const b = await h.generateScripts(ws, {
      playbookId: 'cs-channel-291',
      target: {
        hostnames: [
          'CN=PC-0142,OU=Clinical,DC=corp,DC=example',
          'CN=LONGHOSTNAME01234,OU=Workstations,DC=corp,DC=example',
        ],
      },
      withKeys: false,
      params: {},
    });
    expect(b.manifest.devices.map((d) => [d.id, d.hostname])).toEqual([[id('PC-0142'), 'PC-0142']]);
    expect(b.files.length).toBeGreaterThan(0);
    // The long name reached its device, whose name no script may carry (Windows keeps 15 characters): refused by name.
    expect(b.refused.map((r) => [r.deviceId, r.field, r.code])).toEqual([
      [id('LONGHOSTNAME01234'), 'hostname', 'too-long'],
    ]);
  });
});
