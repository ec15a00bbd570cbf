// Files handed to the app from outside (command line, second launch, macOS open-file, drops, menu): routed to the page.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { OpenFileEvent } from '../../core/contract/host.js';
import { FIELD_PACK_EXT, WORKSPACE_EXT } from './channels.js';

const MAX_PACK_BYTES = 512 * 2 ** 20;

/** The workspace or field pack named on a command line (the last one wins); flags and the executable are skipped. */
export function fileFromArgv(argv: readonly string[], cwd: string): string | null {
  for (let i = argv.length - 1; i >= 1; i--) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) continue;
    const ext = path.extname(arg).toLowerCase();
    if (ext === WORKSPACE_EXT || ext === FIELD_PACK_EXT) return path.resolve(cwd, arg);
  }
  return null;
}

export interface OpenFileSink {
  /** Delivers the event to the page (webContents.send). */
  send(ev: OpenFileEvent): void;
  /** Brings the window to the front. */
  focus(): void;
}

/** Queues files until the page subscribes (onOpenFile), then delivers them in order. */
export class OpenFileRouter {
  private queue: OpenFileEvent[] = [];
  private sink: OpenFileSink | null = null;

  constructor(
    /** Allows the page to open this workspace file (it came from the user, not from page content). */
    private readonly grant: (file: string) => void,
    private readonly readFile: (file: string) => Promise<Uint8Array> = async (f) =>
      new Uint8Array(await fsp.readFile(f)),
  ) {}

  /** The page is listening: flush everything that arrived before. */
  attach(sink: OpenFileSink): void {
    this.sink = sink;
    const queued = this.queue;
    this.queue = [];
    for (const ev of queued) sink.send(ev);
  }

  detach(): void {
    this.sink = null;
  }

  async open(file: string): Promise<OpenFileEvent | null> {
    const abs = path.resolve(file);
    const ext = path.extname(abs).toLowerCase();
    let ev: OpenFileEvent;
    if (ext === WORKSPACE_EXT) {
      ev = { kind: 'workspace', name: path.basename(abs), location: abs };
      this.grant(abs);
    } else if (ext === FIELD_PACK_EXT) {
      const stat = await fsp.stat(abs);
      if (stat.size > MAX_PACK_BYTES) throw new Error(`${abs} is too large for a field pack`);
      ev = { kind: 'fieldpack', name: path.basename(abs), location: abs, data: await this.readFile(abs) };
    } else return null;
    if (this.sink) {
      this.sink.focus();
      this.sink.send(ev);
    } else this.queue.push(ev);
    return ev;
  }
}
