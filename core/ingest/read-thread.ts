// The two-thread import: a file's reading (decode, parse) runs in a second thread and hands row batches across a port.
import { CancelledError } from '../contract/jobs.js';
import type { ImportInput } from '../contract/ingest.js';
import { EncodingRestart, FileError } from './errors.js';
import type { DecodeState } from './readers/decode.js';
import { SheetChoiceError, type SheetInfo } from './readers/xlsx.js';
import { normBuffers, packRows, planNormaliser, prepareBatch, unpackRows } from './read-plan.js';
import type { PackedRows, RowsNorm } from './read-plan.js';
import type { CsvHeader, CsvSink, ReadPlan, RowBatch, RowNote } from './rows.js';
import type { EncodedRows } from '../store/raw-rows.js';
import { buildChunk, type ChunkBuilder, type ChunkIndex, type ChunkText } from '../store/device-text-chunk.js';
import { end as endPostings } from '../store/device-text-postings.js';
import { readInput, type ReadOptions } from './sniff.js';

/** How a file is read into a sink: `readInput` itself, or a stand-in that reads it in another thread. */
export type ReadFn = (
  input: ImportInput,
  state: DecodeState,
  opts: ReadOptions,
  sink: CsvSink,
  notes: string[],
  onSheet?: (sheet: string) => void,
) => Promise<void>;

/** One end of a message channel (a Web Worker, a worker_threads Worker, or the port inside either). */
export interface ReadPort {
  post(msg: unknown, transfer?: Transferable[]): void;
  listen(fn: (msg: unknown) => void, fail: (err: Error) => void): void;
  close(): void;
}

/**
 * Batches the reader may have sent ahead of the writer: enough to keep both threads busy, few enough that memory
 * stays bounded (a batch is about 1 MiB of text) however far the reader could run ahead.
 */
export const IN_FLIGHT = 3;

/** Stands for the notes the host's sink adds at the header (the header's own, the mapping's) in the reader's list. */
const HEADER_NOTES = '\u0000header-notes';

type FileFault = { message: string; field: string; line: number; sheets?: SheetInfo[] };

type ToReader =
  | { t: 'read'; input: unknown; force?: ReadOptions['force']; sheet?: string }
  | { t: 'verdict'; ok: boolean; plan?: ReadPlan }
  | { t: 'ack' }
  | { t: 'text'; text: ChunkText }
  | { t: 'text-end' };

type ToHost =
  | { t: 'progress'; phase: string; done: number; total: number }
  | { t: 'header'; h: CsvHeader; notes: string[] }
  | {
      t: 'rows';
      rows: PackedRows;
      lines: Uint32Array;
      notes?: RowNote[];
      raw?: EncodedRows;
      norm?: RowsNorm;
    }
  | { t: 'done'; state: DecodeState; notes: string[]; sheet?: string }
  | { t: 'text-index'; index: ChunkIndex }
  | { t: 'text-error'; message: string }
  | {
      t: 'error';
      state: DecodeState;
      notes: string[];
      kind: 'file' | 'restart' | 'cancelled' | 'other';
      fault: FileFault;
      offset?: number;
    };

/** A FIFO of messages the host awaits one at a time. */
class Inbox {
  private queue: ToHost[] = [];
  private waiting: { ok: (m: ToHost) => void; fail: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  push(m: ToHost): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.ok(m);
    } else this.queue.push(m);
  }
  fail(e: Error): void {
    this.failed ??= e;
    const w = this.waiting;
    this.waiting = null;
    w?.fail(e);
  }
  next(): Promise<ToHost> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((ok, fail) => (this.waiting = { ok, fail }));
  }
}

/** A reading thread as the host holds it: its ReadFn, its search index chunk builder, and close() to end it. */
export interface ThreadedReader {
  read: ReadFn;
  chunks: ChunkBuilder;
  close(): void;
}

/**
 * The host side: a ReadFn whose reading runs in the thread `spawn` starts. Files `describe` cannot hand over (a
 * stream made in memory) are read here, in this thread, by readInput. A cancel or a thread failure ends the thread;
 * the next file starts a new one.
 */
export function threadedReader(
  spawn: () => ReadPort,
  describe: (input: ImportInput) => { input: unknown; transfer?: Transferable[] } | null,
): ThreadedReader {
  let port: ReadPort | null = null;
  let inbox: Inbox | null = null;
  const stop = () => {
    port?.close();
    port = null;
    inbox = null;
  };
  const read: ReadFn = async (input, state, opts, sink, notes, onSheet) => {
    const desc = describe(input);
    if (!desc) return readInput(input, state, opts, sink, notes, onSheet);
    if (opts.signal?.aborted) throw new CancelledError();
    if (!port) {
      const box = (inbox = new Inbox());
      port = spawn();
      port.listen(
        (m) => box.push(m as ToHost),
        (e) => box.fail(e),
      );
    }
    const p = port;
    const box = inbox!;
    const onAbort = () => box.fail(new CancelledError());
    opts.signal?.addEventListener('abort', onAbort);
    const prefix = notes.slice();
    let headerNotes: string[] = [];
    const sync = (from: string[]) => {
      notes.length = 0;
      notes.push(...prefix);
      for (const n of from)
        if (n === HEADER_NOTES) notes.push(...headerNotes);
        else notes.push(n);
    };
    let clean = false;
    try {
      const msg: ToReader = {
        t: 'read',
        input: desc.input,
        ...(opts.force ? { force: opts.force } : {}),
        ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}),
      };
      p.post(msg, desc.transfer);
      for (;;) {
        const m = await box.next();
        if (m.t === 'progress') opts.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
        else if (m.t === 'header') {
          sync(m.notes);
          const before = notes.length;
          const ok = await sink.header(m.h, true);
          headerNotes = notes.slice(before);
          const plan = ok ? sink.plan?.() : undefined;
          p.post({ t: 'verdict', ok, ...(plan ? { plan } : {}) } satisfies ToReader);
        } else if (m.t === 'rows') {
          const rows = unpackRows(m.rows) as RowBatch;
          if (m.notes) rows.notes = m.notes;
          if (m.raw) rows.raw = m.raw;
          if (m.norm) rows.norm = m.norm;
          await sink.rows(rows, Array.from(m.lines), rows.length);
          if (opts.signal?.aborted) throw new CancelledError();
          p.post({ t: 'ack' } satisfies ToReader);
        } else if (m.t === 'text-index' || m.t === 'text-error') {
          throw new Error('the reading thread sent a search index chunk while reading a file');
        } else {
          Object.assign(state, m.state);
          sync(m.notes);
          if (m.t === 'done') {
            clean = true;
            if (m.sheet !== undefined) onSheet?.(m.sheet);
            return;
          }
          clean = m.kind !== 'other';
          throw rebuild(m);
        }
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      // A file cut short (cancel, a writer's failure) leaves the thread mid-read: end it rather than drain it.
      if (!clean) stop();
    }
  };
  return { read, close: stop, chunks: chunkBuilder(() => (port && inbox ? { port, inbox } : null), stop) };
}

/**
 * The batch end's search index chunks built in the reading thread, idle by then (null when none is running: no file
 * of the batch was read there). The host reads no file meanwhile, so the thread's inbox is the job's alone. The job
 * ends the thread: a failure, a cancel or a job dropped unfinished (nothing it sends later is read as a file's), and
 * the job done.
 */
function chunkBuilder(current: () => { port: ReadPort; inbox: Inbox } | null, stop: () => void): ChunkBuilder {
  return {
    start(signal) {
      const now = current();
      if (!now) return null;
      const { port: p, inbox: box } = now;
      let sent = 0;
      let over = false;
      const onAbort = () => box.fail(new CancelledError());
      signal?.addEventListener('abort', onAbort);
      const finish = (ok: boolean) => {
        if (over) return;
        over = true;
        signal?.removeEventListener('abort', onAbort);
        // A done() still waiting gives up (a Web Worker ended by terminate() sends no error event).
        if (!ok) box.fail(new CancelledError());
        // Ended when its rows are back too: an idle worker does not collect, and the build's garbage (a full chunk's
        // text, pairs and list room: 65 MB at 100k in the bench's peak) would stay to the batch's commit and after.
        // The next import's first file starts another.
        if (current()?.port === p) stop();
      };
      return {
        add(text) {
          const transfer: Transferable[] = [text.offs.buffer];
          if (text.order) transfer.push(text.order.buffer);
          p.post({ t: 'text', text } satisfies ToReader, transfer);
          sent++;
        },
        async done() {
          // The last chunk is handed over: the thread lets its build buffers go after it.
          p.post({ t: 'text-end' } satisfies ToReader);
          const out: ChunkIndex[] = [];
          try {
            while (out.length < sent) {
              const m = await box.next();
              if (m.t === 'text-index') out.push(m.index);
              else
                throw new Error(
                  `the search index build failed in the reading thread: ${m.t === 'text-error' ? m.message : m.t}`,
                );
            }
            finish(true);
            return out;
          } catch (err) {
            finish(false);
            throw err;
          }
        },
        cancel: () => finish(false),
      };
    },
  };
}

function rebuild(m: Extract<ToHost, { t: 'error' }>): Error {
  const f = m.fault;
  if (m.kind === 'cancelled') return new CancelledError();
  if (m.kind === 'restart') return new EncodingRestart(m.offset ?? 0);
  if (m.kind === 'file')
    return f.sheets ? new SheetChoiceError(f.message, f.sheets) : new FileError(f.message, f.field, f.line);
  return new Error(`the reading thread failed: ${f.message}`);
}

/**
 * The reader side: reads each file the host asks for with readInput, sending the header (and waiting for the host's
 * verdict on it), the row batches (at most IN_FLIGHT not yet written), progress, and the end state or the failure.
 */
export function serveReads(port: ReadPort, open: (input: unknown) => ImportInput): void {
  let verdict: ((ok: boolean) => void) | null = null;
  // The current file's plan, from the host's verdict on its header.
  let plan: ReadPlan | null = null;
  // Its writer's normalisation, one for the whole file (a fleet file's date columns learn from every batch in turn).
  let norm: ReturnType<typeof planNormaliser> = null;
  let acks = 0;
  let ackWait: (() => void) | null = null;
  let busy: Promise<void> = Promise.resolve();
  port.listen(
    (raw) => {
      const m = raw as ToReader;
      if (m.t === 'verdict') {
        plan = m.plan ?? null;
        norm = planNormaliser(plan);
        verdict?.(m.ok);
      } else if (m.t === 'ack') {
        acks++;
        const w = ackWait;
        ackWait = null;
        w?.();
      } else if (m.t === 'text') buildText(port, m.text);
      else if (m.t === 'text-end') endPostings();
      else busy = busy.then(() => serve(m));
    },
    () => undefined,
  );

  async function serve(m: Extract<ToReader, { t: 'read' }>): Promise<void> {
    const state: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
    const notes: string[] = [];
    let sent = 0;
    acks = 0;
    plan = null;
    norm = null;
    let sheet: string | undefined;
    const sink: CsvSink = {
      header(h) {
        port.post({ t: 'header', h, notes: notes.slice() } satisfies ToHost);
        // The host's sink adds its notes here; the host puts them in place of this mark.
        notes.push(HEADER_NOTES);
        return new Promise<boolean>((ok) => (verdict = ok));
      },
      async rows(rows, lines, count) {
        const ls = new Uint32Array(count);
        for (let i = 0; i < count; i++) ls[i] = lines[i]!;
        const { rows: batch, raw } = plan
          ? prepareBatch(rows, ls, count, plan)
          : { rows: rows.length === count ? rows : rows.slice(0, count), raw: undefined };
        const rn = (rows as RowBatch).notes;
        const normed = norm?.batch(batch, ls, count, rn);
        const packed = packRows(batch, count);
        const transfer: Transferable[] = [ls.buffer, packed.cells.buffer, packed.ends.buffer];
        if (raw) transfer.push(raw.bytes.buffer, raw.ends.buffer);
        if (normed) transfer.push(...normBuffers(normed));
        port.post(
          {
            t: 'rows',
            rows: packed,
            lines: ls,
            ...(rn?.length ? { notes: rn } : {}),
            ...(raw ? { raw } : {}),
            ...(normed ? { norm: normed } : {}),
          } satisfies ToHost,
          transfer,
        );
        sent++;
        while (sent - acks >= IN_FLIGHT) await new Promise<void>((ok) => (ackWait = ok));
      },
    };
    try {
      await readInput(
        open(m.input),
        state,
        {
          ...(m.force ? { force: m.force } : {}),
          ...(m.sheet !== undefined ? { sheet: m.sheet } : {}),
          onProgress: (p) => port.post({ t: 'progress', ...p } satisfies ToHost),
        },
        sink,
        notes,
        (s) => (sheet = s),
      );
      // The host has written every batch once the reader's last one is acknowledged: nothing is left in flight.
      while (acks < sent) await new Promise<void>((ok) => (ackWait = ok));
      port.post({ t: 'done', state, notes, ...(sheet !== undefined ? { sheet } : {}) } satisfies ToHost);
    } catch (err) {
      const e = err as Error;
      const kind =
        err instanceof CancelledError
          ? 'cancelled'
          : err instanceof EncodingRestart
            ? 'restart'
            : err instanceof FileError
              ? 'file'
              : 'other';
      const fault: FileFault = {
        message: e.message,
        field: err instanceof FileError ? err.field : '(file)',
        line: err instanceof FileError ? err.line : 0,
        ...(err instanceof SheetChoiceError ? { sheets: err.sheets } : {}),
      };
      port.post({
        t: 'error',
        state,
        notes,
        kind,
        fault,
        ...(err instanceof EncodingRestart ? { offset: err.offset } : {}),
      } satisfies ToHost);
    }
  }
}

/** Builds a search index chunk the host handed over (see chunkBuilder) and sends its rows back, or its failure. */
function buildText(port: ReadPort, text: ChunkText): void {
  let index: ChunkIndex;
  try {
    index = buildChunk(text);
  } catch (err) {
    port.post({ t: 'text-error', message: (err as Error).message } satisfies ToHost);
    return;
  }
  port.post({ t: 'text-index', index } satisfies ToHost, [
    index.map.buffer,
    index.counts.buffer,
    index.lists.buffer,
    index.ends.buffer,
  ]);
}
