// Windows events 41 / 1001 / 6008 as XML (wevtutil, ToXml, Event Viewer) and wevtutil text: parsed, joined, errors.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importErrors, importFile } from '../../../../core/ingest/index.js';
import {
  EventTextReader,
  EventXmlReader,
  looksLikeEventText,
  looksLikeEventXml,
  type ParsedEvent,
} from '../../../../core/ingest/readers/winevents.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const T = Date.UTC(2024, 6, 23);
async function ws(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => T });
}
const aid = (n: number) => n.toString(16).padStart(32, '0');
const FALCON =
  'Hostname,Host ID,Platform,Sensor Version,Last Seen\n' +
  `PC-0001,${aid(1)},Windows,7.16.18605.0,2024-07-19T05:12:44Z\n` +
  `PC-0002,${aid(2)},Windows,7.16.18605.0,2024-07-19T05:12:44Z\n` +
  `LONDON-KIOSK-0042,${aid(3)},Windows,7.16.18605.0,2024-07-19T05:12:44Z\n`;

const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
const sys = (provider: string, id: string, time: string, computer: string, rec = 1, q = "'") =>
  `<System><Provider Name=${q}${provider}${q} Guid=${q}{331c3b3a-2005-44c2-ac5e-77220c37d6b4}${q}/>` +
  `<EventID${id === '41' ? '' : ` Qualifiers=${q}16384${q}`}>${id}</EventID><Version>8</Version><Level>1</Level>` +
  `<Task>63</Task><Opcode>0</Opcode><Keywords>0x8000400000000002</Keywords><TimeCreated SystemTime=${q}${time}${q}/>` +
  `<EventRecordID>${rec}</EventRecordID><Correlation/><Execution ProcessID=${q}4${q} ThreadID=${q}8${q}/>` +
  `<Channel>System</Channel><Computer>${computer}</Computer><Security UserID=${q}S-1-5-18${q}/></System>`;
const ev41 = (code: number, time: string, computer: string, rec = 1) =>
  `<Event ${NS}>${sys('Microsoft-Windows-Kernel-Power', '41', time, computer, rec)}<EventData>` +
  `<Data Name='BugcheckCode'>${code}</Data><Data Name='BugcheckParameter1'>0xffffd4068f1ec000</Data>` +
  `<Data Name='BugcheckParameter2'>0x0</Data><Data Name='SleepInProgress'>0</Data>` +
  `<Data Name='PowerButtonTimestamp'>0</Data><Data Name='BootAppStatus'>0</Data><Data Name='Checkpoint'>0</Data>` +
  `<Data Name='ConnectedStandbyInProgress'>false</Data><Data Name='CsEntryScenarioInstanceId'>0</Data>` +
  `<Data Name='BugcheckInfoFromEFI'>false</Data><Data Name='CheckpointStatus'>0</Data></EventData></Event>`;
const ev1001 = (time: string, computer: string, rec = 2) =>
  `<Event ${NS}>${sys('Microsoft-Windows-WER-SystemErrorReporting', '1001', time, computer, rec)}<EventData>` +
  `<Data Name='param1'>0x00000050 (0xffffd4068f1ec000, 0x0000000000000000, 0xfffff8053f4a1c3e, 0x0000000000000002)</Data>` +
  `<Data Name='param2'>C:\\Windows\\MEMORY.DMP</Data><Data Name='param3'>071924-10468-01</Data></EventData></Event>`;
const ev6008 = (time: string, computer: string, rec = 3) =>
  `<Event ${NS}>${sys('EventLog', '6008', time, computer, rec)}<EventData><Data>07:27:32</Data>` +
  `<Data>\u200e19/\u200e07/\u200e2024</Data><Data></Data><Data></Data><Data>10468</Data><Data></Data>` +
  `<Data>Coordinated Universal Time</Data><Binary>E80707000500130007001B0020000000</Binary></EventData></Event>`;
const ev7036 = (time: string, computer: string) =>
  `<Event ${NS}>${sys('Service Control Manager', '7036', time, computer, 9)}<EventData>` +
  `<Data Name='param1'>Windows Update</Data><Data Name='param2'>running</Data></EventData></Event>`;

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set([0xff, 0xfe], 0);
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}

type Ev = { kind: string; detail: string; ts: number; host_key: string; device_id: number | null; source: string };
const events = (w: Workspace) =>
  w.db.all<Ev>('SELECT kind, detail, ts, host_key, device_id, source FROM events ORDER BY ts, id');
const deviceId = (w: Workspace, hk: string) => w.db.value<number>('SELECT id FROM devices WHERE host_key = ?', [hk]);

describe('Windows event XML', () => {
  it('wevtutil qe default output (a sequence of <Event> with no root): kinds, bugchecks, UTC times, FQDN join', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const xml = [
      ev41(80, '2024-07-19T04:12:33.1234567Z', 'PC-0001.corp.example.com', 1),
      ev1001('2024-07-19T04:12:40.5000000Z', 'PC-0001.corp.example.com', 2),
      ev41(0, '2024-07-19T04:20:00.0000000Z', 'pc-0002.corp.example.com', 3),
      ev6008('2024-07-19T04:20:05.0000000Z', 'pc-0002.corp.example.com', 4),
      ev7036('2024-07-19T04:21:00.0000000Z', 'pc-0002.corp.example.com'),
      ev41(126, '2024-07-19T04:30:00.0000000Z', 'LONDON-KIOSK-0042.corp.example.com', 5),
    ].join('');
    const r = await importFile(w, inputFromBytes('crash.xml', xml));
    expect(r).toMatchObject({ format: 'events', kind: 'rollout', rows: 5, imported: 5, rejected: 0 });
    expect(r.notes.join(' ')).toMatch(/skipped 1 events? .*event ID 7036 ×1/);
    const ev = events(w);
    expect(ev.map((e) => [e.kind, e.detail])).toEqual([
      ['crashed', 'BugCheck 0x50 (event 41)'],
      ['crashed', 'BugCheck 0x50 (event 1001)'],
      ['rebooted', 'unclean restart (event 41)'],
      ['rebooted', 'unexpected shutdown (event 6008)'],
      ['crashed', 'BugCheck 0x7E (event 41)'],
    ]);
    // 6008's own text says 07:27:32 on 19/07/2024 (local): the event time is TimeCreated SystemTime, UTC.
    expect(ev[3]!.ts).toBe(Date.UTC(2024, 6, 19, 4, 20, 5));
    expect(ev[0]!.ts).toBe(Date.UTC(2024, 6, 19, 4, 12, 33, 123));
    expect(ev[0]!.device_id).toBe(deviceId(w, 'PC-0001'));
    expect(ev[2]!.device_id).toBe(deviceId(w, 'PC-0002'));
    // A name longer than NetBIOS's 15 characters joins on its truncated key.
    expect(ev[4]!.device_id).toBe(deviceId(w, 'LONDON-KIOSK-00'));
    expect(ev.every((e) => e.source === 'Microsoft-Windows-Kernel-Power' || /WER|EventLog/.test(e.source))).toBe(true);
  });

  it('Event Viewer "Save as XML": <Events> root, declaration, UTF-16LE with BOM, RenderingInfo, CRLF', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const withRendering = ev1001('2024-07-19T04:40:00.0000000Z', 'PC-0002.corp.example.com').replace(
      '</Event>',
      "<RenderingInfo Culture='en-US'><Message>The computer has rebooted from a bugcheck.  The bugcheck was: 0x0000007e " +
        '(0xffffffffc0000005, 0xfffff8053f4a1c3e, 0xffffd4068f1ec000, 0xffffd4068f1eb810). A dump was saved in: ' +
        'C:\\Windows\\MEMORY.DMP. Report Id: 3c1f…</Message><Level>Error</Level></RenderingInfo></Event>',
    );
    const doc =
      '<?xml version="1.0" encoding="utf-16"?>\r\n<Events>\r\n' +
      [ev41(80, '2024-07-19T04:35:00.0000000Z', 'PC-0002.corp.example.com'), withRendering].join('\r\n') +
      '\r\n<!-- saved by Event Viewer -->\r\n</Events>\r\n';
    const r = await importFile(w, inputFromBytes('System.xml', utf16le(doc)));
    expect(r).toMatchObject({ format: 'events', encoding: 'utf-16le', imported: 2, rejected: 0 });
    expect(events(w).map((e) => e.detail)).toEqual(['BugCheck 0x50 (event 41)', 'BugCheck 0x7E (event 1001)']);
  });

  it('streams: any split of the text gives the same events as the whole', () => {
    const xml =
      '<?xml version="1.0"?><Events>' +
      ev41(80, '2024-07-19T04:12:33.1234567Z', 'PC-0001') +
      '\n' +
      ev6008('2024-07-19T04:12:34Z', 'PC-0001').replace('<Data>07:27:32', '<Data><![CDATA[07:27:32]]>') +
      '<!-- end --></Events>';
    const one = new EventXmlReader();
    const whole2 = one.end(one.push(xml));
    let seed = 7;
    for (let trial = 0; trial < 30; trial++) {
      const reader = new EventXmlReader();
      const out: ParsedEvent[] = [];
      for (let i = 0; i < xml.length;) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const n = 1 + (seed % 40);
        reader.push(xml.slice(i, i + n), out);
        i += n;
      }
      reader.end(out);
      expect(out).toEqual(whole2);
    }
    expect(whole2.map((e) => [e.line, e.row?.[1]])).toEqual([
      [1, '41'],
      [2, '6008'],
    ]);
    expect(whole2[1]!.row![4]).toBe('The previous system shutdown at 07:27:32 on 19/07/2024 was unexpected.');
  });

  it('decodes entities and refuses a DTD (no entity expansion)', () => {
    const out = new EventXmlReader().push(
      ev1001('2024-07-19T04:40:00Z', 'PC&amp;1&#x41;').replace('MEMORY.DMP', 'a&lt;b&gt;&quot;&apos;&#65;'),
    );
    expect(out[0]!.row![3]).toBe('PC&1A');
    expect(() => new EventXmlReader().push('<!DOCTYPE x [<!ENTITY a "b">]><Events/>')).toThrow(/document type/);
  });

  it('malformed XML: one clear error with the file and line, nothing imported', async () => {
    const w = await ws();
    const xml =
      ev41(80, '2024-07-19T04:12:33Z', 'PC-0001') +
      '\n' +
      ev41(80, '2024-07-19T04:13:33Z', 'PC-0001').replace('</EventID>', '</EventId>');
    const r = await importFile(w, inputFromBytes('broken.xml', xml));
    expect(r.imported).toBe(0);
    expect(r.importId).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 2, field: '(file)' });
    expect(r.errors[0]!.message).toMatch(
      /^broken\.xml: malformed event XML on line 2: expected <\/EventID>, found <\/EventId>/,
    );
    expect(r.errors[0]!.message).not.toMatch(/\bat .*\.ts:\d+/);
    expect(w.db.value('SELECT COUNT(*) FROM events')).toBe(0);
    expect(w.db.value('SELECT COUNT(*) FROM imports')).toBe(0);
  });

  it.each([
    ['an unknown entity', ev41(80, '2024-07-19T04:12:33Z', 'PC&nbsp;1'), /unknown entity &nbsp;/],
    ['text after the last event', ev41(80, '2024-07-19T04:12:33Z', 'PC-1') + 'garbage', /text after the last event/],
    ['another XML document', '<?xml version="1.0"?>\n<Events><Foo/></Events>', /<Foo> inside <Events>/],
    ['an attribute twice', ev41(80, '2024-07-19T04:12:33Z', 'PC-1').replace('Level>1', "Level a='1' a='2'>1"), /twice/],
    ['an empty list', '<Events>\n</Events>', /no <Event> element/],
  ])('malformed: %s', async (_n, xml, re) => {
    const w = await ws();
    const r = await importFile(w, inputFromBytes('bad.xml', xml));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(re);
    expect(r.importId).toBeNull();
  });

  it('a cut-off last event is rejected with its line; the whole events before it import', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const full = [
      '<Events>',
      ev41(80, '2024-07-19T04:12:33Z', 'PC-0001'),
      ev1001('2024-07-19T04:12:40Z', 'PC-0001'),
      ev41(80, '2024-07-19T04:15:00Z', 'PC-0002'),
      '</Events>',
    ].join('\n');
    const cut = full.slice(0, full.lastIndexOf("<Data Name='BugcheckParameter1") + 20);
    const r = await importFile(w, inputFromBytes('cut.xml', cut));
    expect(r).toMatchObject({ format: 'events', rows: 3, imported: 2, rejected: 1 });
    expect(r.errors).toEqual([
      { line: 4, field: '(event)', message: expect.stringMatching(/starting on line 4 is cut off.*not imported/) },
    ]);
    expect(importErrors(w, r.importId!).errors[0]).toMatchObject({ line: 4, field: '(event)' });
    expect(events(w)).toHaveLength(2);
    // Only the root's end tag missing: all events whole, a note says so.
    const w2 = await ws();
    const r2 = await importFile(w2, inputFromBytes('noend.xml', full.replace('</Events>', '')));
    expect(r2).toMatchObject({ imported: 3, rejected: 0 });
    expect(r2.notes.join(' ')).toMatch(/<\/Events> tag is missing/);
  });
});

const TEXT = [
  'Event[0]:',
  '  Log Name: System',
  '  Source: Microsoft-Windows-Kernel-Power',
  '  Date: 2024-07-19T04:12:33.1230000Z',
  '  Event ID: 41',
  '  Task: 63',
  '  Level: Critical',
  '  Opcode: Info',
  '  Keyword: N/A',
  '  User: S-1-5-18',
  '  User Name: NT AUTHORITY\\SYSTEM',
  '  Computer: PC-0001.corp.example.com',
  '  Description: ',
  'The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly.',
  '',
  'Event[1]:',
  '  Log Name: System',
  '  Source: Microsoft-Windows-WER-SystemErrorReporting',
  '  Date: 2024-07-19T04:12:40.5000000Z',
  '  Event ID: 1001',
  '  Task: N/A',
  '  Level: Error',
  '  Computer: PC-0001.corp.example.com',
  '  Description: ',
  'The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000050 (0xffffd4068f1ec000, 0x0000000000000000, 0xfffff8053f4a1c3e, 0x0000000000000002). A dump was saved in: C:\\Windows\\MEMORY.DMP. Report Id: 071924-10468-01.',
  '',
  'Event[2]:',
  '  Log Name: System',
  '  Source: EventLog',
  '  Date: 2024-07-19T04:20:05.0000000Z',
  '  Event ID: 6008',
  '  Computer: PC-0002.corp.example.com',
  '  Description: ',
  'The previous system shutdown at 7:27:32 AM on \u200e7/\u200e19/\u200e2024 was unexpected.',
  '',
  'Event[3]:',
  '  Log Name: System',
  '  Source: Service Control Manager',
  '  Date: 2024-07-19T04:21:00.0000000Z',
  '  Event ID: 7036',
  '  Computer: PC-0002.corp.example.com',
  '  Description: ',
  'The Windows Update service entered the running state.',
  '',
];

describe('wevtutil /f:text', () => {
  it('reads blocks into events: 41 without bugcheck data is a restart, 1001 carries the code, 6008 its UTC Date', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const r = await importFile(w, inputFromBytes('crash.txt', TEXT.join('\r\n')));
    expect(r).toMatchObject({ format: 'events', rows: 3, imported: 3, rejected: 0 });
    expect(r.notes.join(' ')).toMatch(/skipped 1 .*7036/);
    const ev = events(w);
    expect(ev.map((e) => [e.kind, e.detail, e.device_id])).toEqual([
      ['rebooted', 'unclean restart (event 41)', deviceId(w, 'PC-0001')],
      ['crashed', 'BugCheck 0x50 (event 1001)', deviceId(w, 'PC-0001')],
      ['rebooted', 'unexpected shutdown (event 6008)', deviceId(w, 'PC-0002')],
    ]);
    expect(ev[2]!.ts).toBe(Date.UTC(2024, 6, 19, 4, 20, 5));
  });

  it('a cut-off last block is rejected with its line; earlier blocks import', async () => {
    const w = await ws();
    const text = TEXT.slice(0, 16 + 3).join('\n'); // Event[1] stops after its Date line... before Event ID
    const r = await importFile(w, inputFromBytes('cut.txt', text));
    expect(r).toMatchObject({ format: 'events', rows: 2, imported: 1, rejected: 1 });
    expect(r.errors).toEqual([
      { line: 16, field: 'Event ID', message: expect.stringMatching(/last event \(line 16\) is cut off/) },
    ]);
  });

  it('detection and strictness', () => {
    expect(looksLikeEventText(TEXT.join('\n'))).toBe(true);
    expect(looksLikeEventText('Event[0]:\nfoo')).toBe(false);
    expect(looksLikeEventXml('\uFEFF<?xml version="1.0"?>\n<Events>')).toBe(true);
    expect(looksLikeEventXml("<Event xmlns='x'>")).toBe(true);
    expect(looksLikeEventXml('<?xml version="1.0"?><plist><Event/></plist>')).toBe(false);
    expect(looksLikeEventXml('TimeCreated,Id,Message')).toBe(false);
    expect(() => new EventTextReader().push('Event[0]:\n  Log Name: System\n').length).not.toThrow();
    expect(() => new EventTextReader().push('hello\nEvent[0]:\n')).toThrow(/line 1 is not part of a wevtutil event/);
  });
});
