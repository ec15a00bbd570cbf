// Windows crash evidence as XML (Get-WinEvent ToXml, wevtutil qe, Event Viewer "Save as XML") and wevtutil /f:text, streamed to rows.
import type { CsvSink, RowBatch, RowNote } from '../rows.js';
import { FileError } from '../errors.js';
import { EventXmlReader } from './event-xml.js';
import { EVENT_COLUMNS, MAX_TOKEN, skipReason, type ParsedEvent } from './event-rows.js';

export { EventXmlReader } from './event-xml.js';
export { EVENT_COLUMNS, eventFromXml, type ParsedEvent } from './event-rows.js';

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
    !(await sink.header({
      names: EVENT_COLUMNS,
      line: 1,
      delimiter: '',
      notes: [`${label}; "line" is where each event starts`],
    }))
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
