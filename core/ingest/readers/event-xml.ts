// A strict streaming reader for Windows event XML: whole <Event> elements out as they close; no DTDs, no entities.
import { FileError } from '../errors.js';
import { eventFromXml, localName, MAX_TOKEN, type El, type ParsedEvent } from './event-rows.js';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_RE = /^[A-Za-z_][\w.:-]*$/;
const ATTR_RE = /\s*([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

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
