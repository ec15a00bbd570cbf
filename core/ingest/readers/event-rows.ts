// Windows events as rows: the columns events are handed over in, and which events are crash evidence.

/**
 * The columns the parsed events are handed over in: the names Get-WinEvent | Export-Csv uses, so the `events` format
 * spec detects them and the rollout writer maps them as it maps the CSV export.
 */
export const EVENT_COLUMNS = ['TimeCreated', 'Id', 'ProviderName', 'MachineName', 'Message', 'LogName', 'RecordId'];

/** Providers whose 41 / 1001 / 6008 are crash evidence (1001 from "Windows Error Reporting" is an application fault). */
const PROVIDERS: Record<string, RegExp> = {
  '41': /kernel-power/i,
  '1001': /^(bugcheck|microsoft-windows-wer-systemerrorreporting|wer-systemerrorreporting|save dump)$/i,
  '6008': /^eventlog$/i,
};

/** One token (tag, comment, text run) longer than this means the file is not event XML, or a tag never closes. */
export const MAX_TOKEN = 16 << 20;

export interface El {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: El[];
}

export interface ParsedEvent {
  /** 1-based line the event starts on. */
  line: number;
  /** Cells in EVENT_COLUMNS order, or null when the event could not be read (see `problem`). */
  row: string[] | null;
  problem?: { field: string; message: string };
  /** The event is not crash evidence (another ID or provider): skipped, and counted in a note. */
  skipped?: string;
}

export const localName = (n: string) => n.slice(n.indexOf(':') + 1);
export const child = (el: El | undefined, name: string) => el?.children.find((c) => localName(c.name) === name);

/** The event's columns from its System, EventData and (when present) RenderingInfo parts. */
export function eventFromXml(ev: El, line: number): ParsedEvent {
  const sys = child(ev, 'System');
  const id = child(sys, 'EventID')?.text.trim() ?? '';
  const provider = child(sys, 'Provider')?.attrs['Name'] ?? child(sys, 'Provider')?.attrs['EventSourceName'] ?? '';
  const time = child(sys, 'TimeCreated')?.attrs['SystemTime'] ?? '';
  const computer = child(sys, 'Computer')?.text.trim() ?? '';
  const channel = child(sys, 'Channel')?.text.trim() ?? '';
  const record = child(sys, 'EventRecordID')?.text.trim() ?? '';
  if (!sys || !id)
    return { line, row: null, problem: { field: 'EventID', message: 'the event has no <System><EventID>' } };
  const skip = skipReason(id, provider);
  if (skip) return { line, row: null, skipped: skip };
  if (!time)
    return { line, row: null, problem: { field: 'TimeCreated', message: 'the event has no TimeCreated SystemTime' } };
  const data = new Map<string, string>();
  const unnamed: string[] = [];
  for (const d of child(ev, 'EventData')?.children ?? []) {
    if (localName(d.name) !== 'Data') continue;
    const n = d.attrs['Name'];
    if (n) data.set(n, d.text.trim());
    else unnamed.push(d.text.trim());
  }
  const rendered = child(child(ev, 'RenderingInfo'), 'Message')?.text.trim() ?? '';
  return { line, row: [time, id, provider, computer, message(id, rendered, data, unnamed), channel, record] };
}

export function skipReason(id: string, provider: string): string | null {
  const want = PROVIDERS[id];
  if (!want) return `event ID ${id}`;
  // The text export names the provider by its short event-source name at times; an empty one is given the benefit.
  if (provider && !want.test(provider) && !(id === '1001' && /wer|bugcheck/i.test(provider)))
    return `event ${id} from ${provider}`;
  return null;
}

/** The detail the rollout writer reads the bugcheck from: Event 41's decimal BugcheckCode, 1001's `0x…` parameter. */
function message(id: string, rendered: string, data: Map<string, string>, unnamed: string[]): string {
  if (id === '41') {
    const code = data.get('BugcheckCode');
    const p1 = data.get('BugcheckParameter1');
    const head = code !== undefined ? `BugcheckCode ${code}${p1 ? `, BugcheckParameter1 ${p1}` : ''}` : '';
    return [head, rendered].filter(Boolean).join('. ');
  }
  if (id === '1001') {
    if (rendered) return rendered;
    const p1 = data.get('param1') ?? unnamed[0] ?? '';
    return p1 ? `The computer has rebooted from a bugcheck. The bugcheck was: ${p1}.` : '';
  }
  if (rendered) return rendered;
  // 6008: the local-format time and date of the shutdown (with the bidi marks Windows puts into dates).
  const [t, d] = unnamed.map((s) => s.replace(/[\u200e\u200f]/g, ''));
  return t && d ? `The previous system shutdown at ${t} on ${d} was unexpected.` : '';
}
