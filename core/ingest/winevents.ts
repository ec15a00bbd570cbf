// Windows crash evidence as XML (Get-WinEvent ToXml, wevtutil qe, Event Viewer "Save as XML") and wevtutil /f:text, streamed to rows.
import type { CsvSink, RowBatch, RowNote } from './csv.js';
import { FileError } from './decode.js';

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
const MAX_TOKEN = 16 << 20;
const BATCH = 2000;

/** The first text of a file is Windows event XML: an XML declaration or comment, then `<Events>` or `<Event>`. */
export function looksLikeEventXml(headText: string): boolean {
  const t = headText.replace(/^\uFEFF/, '').trimStart();
  if (/^<Events?[\s>]/.test(t)) return true;
  if (!/^<(\?xml|!--)/.test(t)) return false;
  return /<Events?[\s>]/.test(t) && /<Events?[\s>]/.exec(t)!.index === t.search(/<[A-Za-z]/);
}

/** `wevtutil qe … /f:text`: blocks that begin `Event[0]:`. */
export function looksLikeEventText(headText: string): boolean {
  return (
    /^\s*Event\[\d+\]:\s*\r?\n/.test(headText.replace(/^\uFEFF/, '')) && /^\s+(Event ID|Log Name):/m.test(headText)
  );
}

interface El {
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

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_RE = /^[A-Za-z_][\w.:-]*$/;
const ATTR_RE = /\s*([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

const localName = (n: string) => n.slice(n.indexOf(':') + 1);
const child = (el: El | undefined, name: string) => el?.children.find((c) => localName(c.name) === name);

/**
 * A strict, incremental reader for the XML the event tools write: elements, attributes, text, CDATA, comments and
 * processing instructions; no DTDs (and so no entity expansion). Whole `<Event>` elements come out as they close.
 */
export class EventXmlReader {
  private buf = '';
  private pos = 0;
  /** Line of buf[pos]. */
  private line = 1;
  /** Open element names, outermost first. */
  private open: string[] = [];
  /** Elements of the event being read (open ones), and where that event started. */
  private tree: El[] = [];
  private eventLine = 0;
  private roots = 0;
  private rootOpen = false;

  /** Adds text; returns the events completed by it. */
  push(text: string, out: ParsedEvent[] = []): ParsedEvent[] {
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
    this.run(false, out);
    if (this.buf.length - this.pos > MAX_TOKEN)
      this.fail(`an XML tag, comment or text run starting here is longer than ${MAX_TOKEN} characters`);
    return out;
  }

  /** Ends the input: a cut-off last event comes out as a problem row; other unfinished XML is an error. */
  end(out: ParsedEvent[] = []): ParsedEvent[] {
    this.run(true, out);
    if (this.tree.length) {
      out.push({
        line: this.eventLine,
        row: null,
        problem: {
          field: '(event)',
          message: `the event starting on line ${this.eventLine} is cut off at the end of the file (no </Event>); not imported`,
        },
      });
      this.tree = [];
    } else this.rootOpen = this.open.length > 0;
    if (this.roots === 0) this.fail('the file holds no <Event> element');
    return out;
  }

  /** Set when end() found the `<Events>` root unclosed (events all whole): the caller notes it. */
  get unclosedRoot(): boolean {
    return this.rootOpen;
  }

  private fail(message: string, line = this.line): never {
    throw new FileError(`malformed event XML on line ${line}: ${message}`, '(file)', line);
  }

  private advance(to: number): void {
    const b = this.buf;
    for (let i = b.indexOf('\n', this.pos); i >= 0 && i < to; i = b.indexOf('\n', i + 1)) this.line++;
    this.pos = to;
  }

  private decode(s: string, line: number): string {
    if (s.indexOf('&') < 0) return s;
    return s.replace(/&([^;&\s]{0,12});?/g, (m, e: string) => {
      if (!m.endsWith(';')) this.fail(`"&" not followed by an entity name and ";"`, line);
      if (e[0] === '#') {
        const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff) this.fail(`bad character reference &${e};`, line);
        return String.fromCodePoint(n);
      }
      const v = ENTITIES[e];
      if (v === undefined) this.fail(`unknown entity &${e};`, line);
      return v;
    });
  }

  private run(final: boolean, out: ParsedEvent[]): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const lt = b.indexOf('<', this.pos);
      if (lt !== this.pos) {
        // A text run up to the next tag.
        if (lt < 0 && !final) return;
        const end = lt < 0 ? b.length : lt;
        const raw = b.slice(this.pos, end);
        if (this.tree.length) this.tree[this.tree.length - 1]!.text += this.decode(raw, this.line);
        else if (raw.trim() !== '') {
          if (lt < 0 && this.open.length === 0 && this.roots > 0) this.fail('text after the last event');
          this.fail(`text outside an event: "${raw.trim().slice(0, 40)}"`);
        }
        this.advance(end);
        continue;
      }
      const startLine = this.line;
      if (b.startsWith('<!--', lt)) {
        const e = b.indexOf('-->', lt + 4);
        if (e < 0) {
          if (final) this.truncated('a comment never ends');
          return;
        }
        this.advance(e + 3);
        continue;
      }
      if (b.startsWith('<![CDATA[', lt)) {
        const e = b.indexOf(']]>', lt + 9);
        if (e < 0) {
          if (final) this.truncated('a CDATA section never ends');
          return;
        }
        if (!this.tree.length) this.fail('CDATA outside an event');
        this.tree[this.tree.length - 1]!.text += b.slice(lt + 9, e);
        this.advance(e + 3);
        continue;
      }
      if (b.startsWith('<!', lt)) {
        if (b.length - lt < 9 && !final) return;
        this.fail('document type declarations are not accepted in event files');
      }
      if (b.startsWith('<?', lt)) {
        const e = b.indexOf('?>', lt + 2);
        if (e < 0) {
          if (final) this.truncated('a processing instruction never ends');
          return;
        }
        this.advance(e + 2);
        continue;
      }
      // A start or end tag: find its `>` outside quoted attribute values.
      let e = -1;
      let q = 0;
      for (let i = lt + 1; i < b.length; i++) {
        const c = b.charCodeAt(i);
        if (q) {
          if (c === q) q = 0;
        } else if (c === 34 || c === 39) q = c;
        else if (c === 62) {
          e = i;
          break;
        } else if (c === 60) this.fail('"<" inside a tag');
      }
      if (e < 0) {
        if (final) this.truncated('a tag never ends');
        return;
      }
      const body = b.slice(lt + 1, e);
      this.advance(e + 1);
      if (body[0] === '/') this.closeTag(body.slice(1).trim(), startLine, out);
      else this.openTag(body, startLine);
    }
  }

  /** Input ended inside markup: inside an event that is the cut-off last event; elsewhere it is an error. */
  private truncated(what: string): void {
    if (this.tree.length) {
      this.pos = this.buf.length;
      return;
    }
    this.fail(`${what} (the file is cut off)`);
  }

  private openTag(body: string, line: number): void {
    const selfClose = body.endsWith('/');
    const inner = selfClose ? body.slice(0, -1) : body;
    const sp = inner.search(/\s/);
    const name = sp < 0 ? inner : inner.slice(0, sp);
    if (!NAME_RE.test(name)) this.fail(`"<${name.slice(0, 30)}" is not a valid tag name`, line);
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    if (sp >= 0) {
      const rest = inner.slice(sp);
      ATTR_RE.lastIndex = 0;
      let at = 0;
      for (;;) {
        ATTR_RE.lastIndex = at;
        const m = ATTR_RE.exec(rest);
        if (!m) break;
        const k = m[1]!;
        if (k in attrs) this.fail(`attribute "${k}" appears twice in <${name}>`, line);
        attrs[k] = this.decode(m[2] ?? m[3] ?? '', line);
        at = ATTR_RE.lastIndex;
      }
      if (rest.slice(at).trim() !== '')
        this.fail(`malformed attributes in <${name}>: "${rest.slice(at).trim().slice(0, 40)}"`, line);
    }
    const local = localName(name);
    if (this.tree.length) {
      const el: El = { name, attrs, text: '', children: [] };
      this.tree[this.tree.length - 1]!.children.push(el);
      if (!selfClose) this.tree.push(el);
    } else if (
      local === 'Event' &&
      (this.open.length === 0 || (this.open.length === 1 && localName(this.open[0]!) === 'Events'))
    ) {
      this.roots++;
      this.eventLine = line;
      const el: El = { name, attrs, text: '', children: [] };
      if (selfClose) return;
      this.tree.push(el);
    } else if (local === 'Events' && this.open.length === 0) {
      if (this.roots > 0) this.fail('<Events> after events; only one list per file');
    } else {
      this.fail(
        this.open.length === 0
          ? `<${name}> is not a Windows event (expected <Events> or <Event>)`
          : `<${name}> inside <${this.open[this.open.length - 1]}> (expected <Event>)`,
        line,
      );
    }
    if (!selfClose) this.open.push(name);
  }

  private closeTag(name: string, line: number, out: ParsedEvent[]): void {
    const top = this.open[this.open.length - 1];
    if (top === undefined) this.fail(`</${name}> closes nothing`, line);
    if (top !== name) this.fail(`expected </${top}>, found </${name}>`, line);
    this.open.pop();
    if (this.tree.length) {
      const el = this.tree.pop()!;
      if (this.tree.length === 0) out.push(eventFromXml(el, this.eventLine));
    }
  }
}

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

function skipReason(id: string, provider: string): string | null {
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

const TEXT_KEYS: Record<string, number> = { date: 0, 'event id': 1, source: 2, computer: 3, 'log name': 5 };

/**
 * `wevtutil qe … /f:text` (English): `Event[N]:` then indented `Key: value` lines, then `Description:` followed by
 * the message lines up to the next event.
 */
export class EventTextReader {
  private carry = '';
  private line = 0;
  private cur: { line: number; cells: string[]; desc: string[] | null } | null = null;

  push(text: string, out: ParsedEvent[] = []): ParsedEvent[] {
    const s = this.carry + text;
    let start = 0;
    for (let nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      this.take(s.slice(start, nl), out);
      start = nl + 1;
    }
    this.carry = s.slice(start);
    if (this.carry.length > MAX_TOKEN)
      throw new FileError(`line ${this.line + 1} is longer than ${MAX_TOKEN} characters`, '(file)', this.line + 1);
    return out;
  }

  end(out: ParsedEvent[] = []): ParsedEvent[] {
    if (this.carry !== '') this.take(this.carry, out);
    this.carry = '';
    this.finish(out, true);
    return out;
  }

  private take(raw: string, out: ParsedEvent[]): void {
    this.line++;
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/^Event\[\d+\]:\s*$/.test(l.replace(/^\uFEFF/, ''))) {
      this.finish(out, false);
      this.cur = { line: this.line, cells: new Array<string>(EVENT_COLUMNS.length).fill(''), desc: null };
      return;
    }
    if (!this.cur) {
      if (l.trim() !== '')
        throw new FileError(
          `line ${this.line} is not part of a wevtutil event ("${l.trim().slice(0, 40)}"; expected "Event[0]:")`,
          '(file)',
          this.line,
        );
      return;
    }
    if (this.cur.desc) {
      this.cur.desc.push(l);
      return;
    }
    const m = /^\s+([A-Za-z][A-Za-z ]*?):\s?(.*)$/.exec(l);
    if (!m) {
      if (l.trim() !== '') this.cur.desc = [l];
      return;
    }
    const key = m[1]!.toLowerCase();
    if (key === 'description') {
      this.cur.desc = m[2]!.trim() ? [m[2]!] : [];
      return;
    }
    const at = TEXT_KEYS[key];
    if (at !== undefined) this.cur.cells[at] = m[2]!.trim();
  }

  private finish(out: ParsedEvent[], last: boolean): void {
    const e = this.cur;
    this.cur = null;
    if (!e) return;
    const c = e.cells;
    c[4] = (e.desc ?? [])
      .join('\n')
      .trim()
      .replace(/[\u200e\u200f]/g, '');
    const missing = [c[0] ? '' : 'Date', c[1] ? '' : 'Event ID'].filter(Boolean);
    if (missing.length) {
      out.push({
        line: e.line,
        row: null,
        problem: {
          field: missing[0]!,
          message: last
            ? `the last event (line ${e.line}) is cut off: it has no ${missing.join(' or ')} line; not imported`
            : `the event on line ${e.line} has no ${missing.join(' or ')} line (only English wevtutil output is read); not imported`,
        },
      });
      return;
    }
    const skip = skipReason(c[1]!, c[2]!);
    if (skip) out.push({ line: e.line, row: null, skipped: skip });
    else {
      if (c[1] === '1001' && !/0x[0-9a-f]/i.test(c[4]!)) c[4] = `${c[4]} (bugcheck code not in the description)`.trim();
      out.push({ line: e.line, row: c });
    }
  }
}

/**
 * Streams an event file to the sink in the shape the `events` format takes. Events that cannot be read travel as
 * rejected rows (with their line); events that are not crash evidence are skipped and counted in a note.
 */
export async function readWinEvents(
  chunks: AsyncIterable<string>,
  sink: CsvSink,
  notes: string[],
  kind: 'xml' | 'text',
): Promise<void> {
  const reader = kind === 'xml' ? new EventXmlReader() : new EventTextReader();
  const label = kind === 'xml' ? 'Windows event XML' : 'wevtutil text output';
  if (
    !sink.header({
      names: EVENT_COLUMNS,
      line: 1,
      delimiter: '',
      notes: [`${label}; "line" is where each event starts`],
    })
  )
    return;
  const skipped = new Map<string, number>();
  let batch: RowBatch = [];
  let lines: number[] = [];
  const send = async (events: ParsedEvent[]) => {
    for (const e of events) {
      if (e.skipped) {
        skipped.set(e.skipped, (skipped.get(e.skipped) ?? 0) + 1);
        continue;
      }
      if (!e.row) {
        const note: RowNote = {
          index: batch.length,
          field: e.problem!.field,
          message: e.problem!.message,
          reject: true,
        };
        (batch.notes ??= []).push(note);
      }
      batch.push(e.row ?? new Array<string>(EVENT_COLUMNS.length).fill(''));
      lines.push(e.line);
      if (batch.length >= BATCH) await flush();
    }
  };
  const flush = async () => {
    if (!batch.length) return;
    const b = batch;
    const l = lines;
    batch = [];
    lines = [];
    await sink.rows(b, l, b.length);
  };
  for await (const text of chunks) await send(reader.push(text));
  await send(reader.end());
  await flush();
  if (reader instanceof EventXmlReader && reader.unclosedRoot)
    notes.push('the closing </Events> tag is missing (the file may have been cut off after the last whole event)');
  if (skipped.size) {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    const top = [...skipped.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
    notes.push(`skipped ${total} events that are not crash evidence (41, 1001 bugcheck, 6008): ${top}`);
  }
}
