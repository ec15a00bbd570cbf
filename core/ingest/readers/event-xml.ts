// Windows event XML through saxes, streamed: whole <Event> elements out as they close; no DTDs, five entities only.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { FileError } from '../errors.js';
import { eventFromXml, localName, MAX_TOKEN, type El, type ParsedEvent } from './event-rows.js';

/**
 * `wevtutil qe` writes a sequence of `<Event>` elements with no root, which XML does not allow: every file is parsed
 * inside this synthetic root, put in front of the first line, so line numbers hold.
 */
const WRAP = '<ringside-events>';
/** Enough of a close tag or entity reference, before where saxes reports it, to name it in a message. */
const TAIL = 256;
/** A well-formed reference; saxes reads any other `&` up to the next `;`, however far, so the reader finds it. */
const REF = /&(?:[A-Za-z_:][\w.:-]*|#[0-9]+|#x[0-9A-Fa-f]+);/y;
const REF_START = /^&[\w.:#-]*$/;

/**
 * A strict, incremental reader for the XML the event tools write, on saxes (a conforming SAX parser that does no DTD
 * processing and knows only the five XML entities; a DOCTYPE is refused). Whole `<Event>` elements come out as they
 * close; a cut-off last event comes out as a problem row; any other malformed XML is one error with its line.
 */
export class EventXmlReader {
  private readonly p = new SaxesParser<{ xmlns: false }>({ xmlns: false });
  /** Events completed by the text being written. */
  private out: ParsedEvent[] = [];
  /** Text before the synthetic root is written: the XML declaration, if any, has to come first. */
  private head: string | null = '';
  private wrapperOpen = false;
  /** Where the chunk being written starts in all the text written, and the end of the chunk before it. */
  private written = 0;
  private chunkStart = 0;
  private chunk = '';
  private prevTail = '';
  /** Characters written since a tag last closed (about): bounds what saxes buffers for one token. */
  private sinceClose = 0;
  private closes = 0;
  private closing = false;
  private truncatedAtEnd = false;
  /** Open elements outside events (`<Events>`), and the elements of the event being read, outermost first. */
  private outer: string[] = [];
  private tree: El[] = [];
  private lastClosed = '';
  private tagLine = 1;
  private eventLine = 0;
  private roots = 0;
  private rootOpen = false;

  /** Where a tag last closed, and the `&`s since that start no reference (where, on which line), oldest first. */
  private closedAt = 0;
  private bareAmps: { at: number; line: number }[] = [];
  /** An `&` at the end of the last chunk, not yet known to start a reference. */
  private ampCarry: { text: string; at: number; line: number } | null = null;

  private readonly tagStart = () => {
    // The name was read up to the character after it; a line break there is not the tag's line.
    this.tagLine = this.p.column === 0 ? this.p.line - 1 : this.p.line;
  };

  constructor() {
    const p = this.p;
    p.on('opentagstart', this.tagStart);
    p.on('opentag', (t) => this.open(t));
    p.on('closetag', (t) => {
      this.lastClosed = t.name;
      this.closes++;
      this.closedAt = p.position;
      const tree = this.tree;
      if (tree.length) {
        const el = tree.pop()!;
        if (!tree.length) {
          this.out.push(eventFromXml(el, this.eventLine));
          p.on('opentagstart', this.tagStart);
        }
      } else if (this.outer.length) this.outer.pop();
      else this.fail(`${this.closeFound()} closes nothing`);
    });
    p.on('text', (t) => this.text(t));
    p.on('cdata', (t) => {
      if (!this.tree.length) this.fail('CDATA outside an event');
      this.tree[this.tree.length - 1]!.text += t;
    });
    p.on('error', (e) => this.saxesError(e.message));
  }

  /** Adds text; returns the events completed by it. */
  push(text: string, out: ParsedEvent[] = []): ParsedEvent[] {
    this.out = out;
    if (this.head !== null) {
      this.head += text;
      const start = this.start(false);
      if (start === null) return out;
      text = start;
    }
    const closes = this.closes;
    this.write(text);
    this.sinceClose = this.closes === closes ? this.sinceClose + text.length : 0;
    if (this.sinceClose > MAX_TOKEN)
      this.fail(`an XML tag, comment or text run here is longer than ${MAX_TOKEN} characters`);
    return out;
  }

  /** Ends the input: a cut-off last event comes out as a problem row; other unfinished XML is an error. */
  end(out: ParsedEvent[] = []): ParsedEvent[] {
    this.out = out;
    if (this.head !== null) this.write(this.start(true)!);
    this.closing = true;
    this.p.close();
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
    } else if (this.truncatedAtEnd) this.fail('the file ends inside a tag, comment or other markup (it is cut off)');
    else this.rootOpen = this.outer.length > 0;
    if (this.roots === 0) this.fail('the file holds no <Event> element');
    return out;
  }

  /** Set when end() found the `<Events>` root unclosed (events all whole): the caller notes it. */
  get unclosedRoot(): boolean {
    return this.rootOpen;
  }

  /**
   * The text held so far with the synthetic root in front, and the XML declaration (if any) cut down to its line
   * breaks, since a declaration may only open a document; null while the start cannot be told yet.
   */
  private start(final: boolean): string | null {
    const h = this.head!;
    const decl = /^\s*<\?xml[\s?]/.exec(h);
    if (decl) {
      const e = h.indexOf('?>', decl[0].length);
      if (e < 0) {
        if (final || h.length > TAIL) this.fail('the XML declaration never ends');
        return null;
      }
      this.head = null;
      return WRAP + h.slice(0, e + 2).replace(/[^\n]+/g, '') + h.slice(e + 2);
    }
    if (!final && h.length < TAIL && '<?xml'.startsWith(h.trimStart())) return null;
    this.head = null;
    return WRAP + h;
  }

  private write(text: string): void {
    this.prevTail = (this.prevTail + this.chunk).slice(-TAIL);
    this.chunk = text;
    this.chunkStart = this.written;
    this.written += text.length;
    this.scanAmps(text);
    this.p.write(text);
  }

  /** Notes each `&` in the chunk that does not start a reference, before saxes reads the chunk. */
  private scanAmps(text: string): void {
    const amps = this.bareAmps;
    while (amps.length && amps[0]!.at < this.closedAt) amps.shift();
    const c = this.ampCarry;
    this.ampCarry = null;
    if (c) {
      REF.lastIndex = 0;
      const t = c.text + text.slice(0, TAIL);
      if (!REF.test(t)) amps.push({ at: c.at, line: c.line });
    }
    for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
      REF.lastIndex = i;
      if (REF.test(text)) continue;
      const at = this.chunkStart + i;
      let line = this.p.line;
      for (let n = text.indexOf('\n'); n >= 0 && n < i; n = text.indexOf('\n', n + 1)) line++;
      if (text.length - i < TAIL && REF_START.test(text.slice(i))) this.ampCarry = { text: text.slice(i), at, line };
      else if (amps.length < TAIL) amps.push({ at, line });
    }
  }

  /** saxes reports a broken reference where it ends; the `&` that starts it is the first bare one it read into. */
  private bareAmp(): void {
    const a = this.bareAmps.find((x) => x.at >= this.closedAt) ?? this.ampCarry;
    if (a) this.fail('"&" not followed by an entity name and ";"', a.line);
  }

  private fail(message: string, line = this.p.line): never {
    throw new FileError(`malformed event XML on line ${line}: ${message}`, '(file)', line);
  }

  /** The text written just before where saxes is (a close tag or entity it has just read ends there). */
  private before(): string {
    const at = this.p.position - this.chunkStart;
    return (this.prevTail + this.chunk.slice(0, Math.max(0, at))).slice(-TAIL);
  }

  /** The close tag saxes has just read, as written. */
  private closeFound(): string {
    const found = /<\/\s*([^\s<>/]+)\s*>$/.exec(this.before())?.[1];
    return found ? `</${found}>` : 'another closing tag';
  }

  /** saxes's complaints, said in the reader's words where the words add something (the names involved). */
  private saxesError(raw: string): void {
    const m = raw.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    if (this.closing) {
      // At the end, open elements are the reader's to judge (a cut-off event, a missing </Events>).
      if (m.startsWith('unclosed tag:')) return;
      if (m === 'unexpected end') {
        this.bareAmp();
        this.truncatedAtEnd = true;
        return;
      }
    }
    if (m === 'disallowed character in entity name' || m === 'empty entity name') this.bareAmp();
    if (m === 'unexpected close tag') this.fail(`expected </${this.lastClosed}>, found ${this.closeFound()}`);
    if (m.startsWith('unmatched closing tag')) this.fail(`${this.closeFound()} closes nothing`);
    if (m === 'undefined entity') {
      const e = /&([^&;\s]*);$/.exec(this.before())?.[1];
      this.fail(e === undefined ? 'unknown entity' : `unknown entity &${e};`);
    }
    if (m.startsWith('duplicate attribute: ')) {
      const tag = /<([^\s<>/!?]+)[^<]*$/.exec(this.before())?.[1];
      this.fail(`attribute "${m.slice(21)}" appears twice in ${tag ? `<${tag}>` : 'a tag'}`);
    }
    if (/doctype/i.test(m)) this.fail('document type declarations are not accepted in event files');
    this.fail(m);
  }

  private open(t: SaxesTagPlain): void {
    const tree = this.tree;
    const el: El = { name: t.name, attrs: t.attributes, text: '', children: [] };
    if (tree.length) {
      tree[tree.length - 1]!.children.push(el);
      tree.push(el);
      return;
    }
    const local = localName(t.name);
    const outer = this.outer;
    if (!this.wrapperOpen) {
      this.wrapperOpen = true;
      return;
    }
    if (local === 'Event' && (outer.length === 0 || (outer.length === 1 && localName(outer[0]!) === 'Events'))) {
      this.roots++;
      this.eventLine = this.tagLine;
      tree.push(el);
      // Inside an event, only the event's own line is wanted: saxes is spared a call per element.
      this.p.off('opentagstart');
      return;
    }
    if (local === 'Events' && outer.length === 0) {
      if (this.roots > 0) this.fail('<Events> after events; only one list per file', this.tagLine);
    } else
      this.fail(
        outer.length === 0
          ? `<${t.name}> is not a Windows event (expected <Events> or <Event>)`
          : `<${t.name}> inside <${outer[outer.length - 1]}> (expected <Event>)`,
        this.tagLine,
      );
    outer.push(t.name);
  }

  private text(t: string): void {
    const tree = this.tree;
    if (tree.length) {
      tree[tree.length - 1]!.text += t;
      return;
    }
    const s = t.trim();
    // What saxes held of markup the file ends inside is not text: end() reports the cut.
    if (s === '' || this.truncatedAtEnd) return;
    if (this.closing && this.outer.length === 0 && this.roots > 0) this.fail('text after the last event');
    this.fail(`text outside an event: "${s.slice(0, 40)}"`);
  }
}
