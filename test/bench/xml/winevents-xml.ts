// Measures the Windows event XML readers side by side: the import's reader (on saxes), bare saxes, fast-xml-parser
// (`npx tsx test/bench/xml/winevents-xml.ts`; EVENTS=100000 by default; FXP=<dir with node_modules/fast-xml-parser>;
// BASELINE=<module exporting another EventXmlReader>, e.g. an earlier version of it, to race it in the same run).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SaxesParser } from 'saxes';
import { eventFromXml, type El, type ParsedEvent } from '../../../core/ingest/readers/event-rows.js';
import { EventXmlReader } from '../../../core/ingest/readers/event-xml.js';
import { eventFixtures } from '../../fixtures/ingest/winevents.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const CHUNK = 1 << 20;

/** The fixture's events (crash evidence and noise), repeated with new record IDs up to EVENTS, in one <Events>. */
function bigFile(): { text: string; events: number } {
  const { files } = eventFixtures({ devices: 3000, seed: 1907 });
  const src = new TextDecoder().decode(files.find((f) => f.name === 'wevtutil-system.xml')!.bytes);
  const one = src.match(/<Event [\s\S]*?<\/Event>/g)!;
  const parts: string[] = [];
  for (let i = 0; i < EVENTS; i++)
    parts.push(one[i % one.length]!.replace(/<EventRecordID>\d+/, `<EventRecordID>${i + 1}`));
  return {
    text: `<?xml version="1.0" encoding="UTF-8"?>\r\n<Events>\r\n${parts.join('\r\n')}\r\n</Events>\r\n`,
    events: EVENTS,
  };
}

/** As decodeText hands text over: ~1 MiB strings. */
const chunks = (text: string) => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
};

type Reader = { push(t: string, out: ParsedEvent[]): unknown; end(out: ParsedEvent[]): unknown };

function viaReader(parts: string[], make: () => Reader = () => new EventXmlReader()): ParsedEvent[] {
  const r = make();
  const out: ParsedEvent[] = [];
  for (const p of parts) r.push(p, out);
  r.end(out);
  return out;
}

/** The floor: the same rows through saxes with none of the reader's checks (event lines, errors, bounds). */
function viaSaxes(parts: string[]): ParsedEvent[] {
  const out: ParsedEvent[] = [];
  const p = new SaxesParser({ position: true });
  const stack: El[] = [];
  let line = 0;
  p.on('doctype', () => {
    throw new Error('document type declarations are not accepted in event files');
  });
  p.on('opentag', (t) => {
    const local = t.name.slice(t.name.indexOf(':') + 1);
    if (!stack.length && local !== 'Event') return;
    if (!stack.length) line = p.line;
    const el: El = { name: t.name, attrs: t.attributes as Record<string, string>, text: '', children: [] };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  p.on('text', (t) => {
    if (stack.length) stack.at(-1)!.text += t;
  });
  p.on('closetag', () => {
    if (!stack.length) return;
    const el = stack.pop()!;
    if (!stack.length) out.push(eventFromXml(el, line));
  });
  for (const c of parts) p.write(c);
  p.close();
  return out;
}

/** fast-xml-parser: the whole document parsed to objects (it does not stream), then each event mapped the same way. */
function viaFxp(text: string, mod: { XMLParser: new (o: object) => { parse(t: string): unknown } }): ParsedEvent[] {
  const parser = new mod.XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // DOCTYPE entities are expanded by default (with limits); off, as the event reader must be.
    processEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name: string) => name === 'Event' || name === 'Data',
  });
  const doc = parser.parse(text) as { Events: { Event: Record<string, unknown>[] } };
  const toEl = (name: string, v: unknown): El => {
    if (typeof v !== 'object' || v === null) return { name, attrs: {}, text: String(v ?? ''), children: [] };
    const el: El = { name, attrs: {}, text: '', children: [] };
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '#text') el.text = String(x);
      else if (Array.isArray(x)) for (const y of x) el.children.push(toEl(k, y));
      else if (typeof x === 'object' && x !== null) el.children.push(toEl(k, x));
      else if (k === 'xmlns') continue;
      else if (/^[A-Z]/.test(k) && !['Name', 'SystemTime', 'EventSourceName', 'Qualifiers'].includes(k))
        el.children.push(toEl(k, x));
      else el.attrs[k] = String(x);
    }
    return el;
  };
  return doc.Events.Event.map((e) => eventFromXml(toEl('Event', e), 0));
}

/**
 * Best and median of `runs`, the candidates taken in turn each round (starting one further each round), so a load
 * that comes and goes hits them alike.
 */
function race(
  cands: { label: string; fn: () => ParsedEvent[] }[],
  runs = 3,
): { label: string; ms: number[]; out: ParsedEvent[] }[] {
  const res = cands.map((c) => ({ label: c.label, ms: [] as number[], out: [] as ParsedEvent[] }));
  for (let i = 0; i < runs; i++)
    for (let k = 0; k < cands.length; k++) {
      const j = (i + k) % cands.length;
      const t0 = performance.now();
      res[j]!.out = cands[j]!.fn();
      res[j]!.ms.push(performance.now() - t0);
    }
  for (const r of res) {
    const ms = [...r.ms].sort((a, b) => a - b);
    const med = (ms[(ms.length - 1) >> 1]! + ms[ms.length >> 1]!) / 2;
    console.log(
      `${r.label.padEnd(34)} best ${ms[0]!.toFixed(0).padStart(6)} ms, median ${med.toFixed(0).padStart(6)} ms (${runs} runs)`,
    );
  }
  return res;
}

const { text, events } = bigFile();
const parts = chunks(text);
console.log(
  `${events.toLocaleString('en-US')} events, ${(text.length / 2 ** 20).toFixed(1)} MiB of XML, ${parts.length} chunks`,
);
const rows = (xs: ParsedEvent[]) => xs.filter((x) => x.row).map((x) => x.row!.join('\u0001'));
let fxp: { XMLParser: new (o: object) => { parse(t: string): unknown } } | null = null;
try {
  const req = createRequire(join(process.env.FXP ?? process.cwd(), 'package.json'));
  fxp = req('fast-xml-parser') as typeof fxp;
} catch {
  console.log('fast-xml-parser: not installed (set FXP to a directory holding it)');
}
let baseline: (new () => Reader) | null = null;
if (process.env.BASELINE)
  baseline = ((await import(join(process.cwd(), process.env.BASELINE))) as { EventXmlReader: new () => Reader })
    .EventXmlReader;
const cands = [
  { label: 'EventXmlReader (saxes 6.0.0)', fn: () => viaReader(parts) },
  ...(baseline ? [{ label: 'baseline (BASELINE)', fn: () => viaReader(parts, () => new baseline!()) }] : []),
  { label: 'bare saxes 6.0.0 (no checks)', fn: () => viaSaxes(parts) },
  ...(fxp ? [{ label: 'fast-xml-parser (whole document)', fn: () => viaFxp(text, fxp!) }] : []),
];
const [a, ...others] = race(cands, Number(process.env.RUNS ?? 3));
for (const o of others)
  console.log(
    `${o.label}: rows identical to EventXmlReader's: ${JSON.stringify(rows(a!.out)) === JSON.stringify(rows(o.out))}`,
  );
