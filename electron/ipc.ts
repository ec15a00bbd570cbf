// Main-process IPC: one handler per HostApi verb; each checks the sender frame, then validates its arguments with zod.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import path from 'node:path';
import { z } from 'zod';
import type { DesktopHost } from './host/desktop-host.js';
import { FIELD_PACK_EXT, INVOKE, SEND, WORKSPACE_EXT, type InvokeVerb } from './host/channels.js';
import { SNAPSHOT_CHUNK } from '../core/store/export-stream.js';
import { isAppUrl } from './protocol.js';

export class ForeignSenderError extends Error {}

/**
 * True only for the main frame of a window we created, showing app://ringside. Subframes, other windows,
 * file://, https:// and look-alike hosts are all refused (Electron checklist item 17).
 */
export function isTrustedSender(
  event: IpcMainEvent | IpcMainInvokeEvent,
  trusted: (wc: WebContents) => boolean,
): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (!trusted(event.sender)) return false;
  if (frame.parent !== null || !sameFrame(frame, event.sender.mainFrame)) return false;
  return isAppUrl(frame.url);
}

type FrameId = { processId?: number; routingId?: number } | null | undefined;

/** WebFrameMain objects may be re-created per lookup, so equal (process, routing) ids also count as the same frame. */
function sameFrame(a: FrameId, b: FrameId): boolean {
  if (!a || !b) return false;
  return a === b || (a.routingId !== undefined && a.processId === b.processId && a.routingId === b.routingId);
}

const MAX_SNAPSHOT = 2 ** 32 - 1;
const MAX_FILE = 2 ** 31 - 1;
const id = z.string().regex(/^[0-9a-f-]{36}$/, 'a workspace id');
const bytes = z.instanceof(Uint8Array);
// Action types grow with the domains; the shape is checked here, the meaning when the worker replays it.
const action = z
  .looseObject({
    type: z
      .string()
      .regex(/^[a-z]+(\.[a-z_]+)+$/)
      .max(64),
    at: z.number().optional(),
  })
  .refine((a) => JSON.stringify(a).length <= 64 * 1024, 'action too large');

/** Argument tuples per verb; anything else is refused before the host sees it. */
export const ARGS = {
  appInfo: z.tuple([]),
  recentWorkspaces: z.tuple([]),
  createWorkspace: z.tuple([z.string().trim().min(1).max(200)]),
  openWorkspace: z.union([z.tuple([]), z.tuple([z.string().min(1).max(4096)]), z.tuple([z.undefined()])]),
  snapshotBegin: z.tuple([id, z.number().int().nonnegative()]),
  snapshotChunk: z.tuple([
    id,
    z.number().int().positive().max(MAX_SNAPSHOT),
    bytes.refine((b) => b.byteLength > 0 && b.byteLength <= SNAPSHOT_CHUNK, 'a chunk of 1 byte to 8 MiB'),
  ]),
  // The first page (at most 64 KiB) to finish the save, or null to cancel it.
  snapshotEnd: z.tuple([id, z.union([bytes.refine((b) => b.byteLength >= 512 && b.byteLength <= 65536), z.null()])]),
  appendJournal: z.tuple([id, z.object({ seq: z.number().int().positive(), action }).strict()]),
  saveFile: z.tuple([
    z
      .object({
        suggestedName: z.string().min(1).max(255),
        data: z.union([z.string().max(512 * 2 ** 20), bytes.refine((b) => b.byteLength <= MAX_FILE)]),
        mime: z.string().max(100).optional(),
      })
      .strict(),
  ]),
  printToPdf: z.tuple([]),
} satisfies Record<InvokeVerb, z.ZodType>;

const droppedArgs = z.tuple([
  z
    .array(
      z
        .string()
        .max(4096)
        .refine((p) => path.isAbsolute(p) && [WORKSPACE_EXT, FIELD_PACK_EXT].includes(path.extname(p).toLowerCase())),
    )
    .min(1)
    .max(20),
]);

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'on'>;
  host: DesktopHost;
  /** Is this webContents one of our app windows? */
  trusted: (wc: WebContents) => boolean;
  /** Files dropped on the window (already validated): open them like an OS file association would. */
  openPaths: (files: string[]) => void;
  /** The renderer now listens for open-file events. */
  openFileReady: (wc: WebContents) => void;
  log?: (msg: string) => void;
}

type Impl = { [K in InvokeVerb]: (...args: z.infer<(typeof ARGS)[K]>) => unknown };

/** Registers every handler. Returns the channel names, so a test can check that none is missing. */
export function registerIpc(deps: IpcDeps): string[] {
  const { host } = deps;
  const impl: Impl = {
    appInfo: () => host.appInfo(),
    recentWorkspaces: () => host.recentWorkspaces(),
    createWorkspace: (name) => host.createWorkspace(name),
    openWorkspace: (location?: string) => host.openWorkspace(location),
    snapshotBegin: (wid, seq) => host.snapshotBegin(wid, seq),
    snapshotChunk: (sid, position, data) => host.snapshotChunk(sid, position, data),
    snapshotEnd: (sid, head) => host.snapshotEnd(sid, head),
    appendJournal: (wid, entry) => host.appendJournal(wid, entry as Parameters<DesktopHost['appendJournal']>[1]),
    saveFile: (req) => host.saveFile(req),
    printToPdf: () => host.printToPdf(),
  };
  const channels: string[] = [];
  for (const verb of Object.keys(INVOKE) as InvokeVerb[]) {
    const channel = INVOKE[verb];
    channels.push(channel);
    deps.ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, deps.trusted)) {
        deps.log?.(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        throw new ForeignSenderError(`${channel}: refused, the sender is not the Ringside window`);
      }
      const parsed = ARGS[verb].safeParse(args);
      if (!parsed.success)
        throw new TypeError(`${channel}: invalid arguments (${parsed.error.issues[0]?.message ?? 'malformed'})`);
      return (impl[verb] as (...a: unknown[]) => unknown)(...parsed.data);
    });
  }
  deps.ipcMain.on(SEND.droppedFiles, (event, ...args: unknown[]) => {
    if (!isTrustedSender(event, deps.trusted)) return;
    const parsed = droppedArgs.safeParse(args);
    if (parsed.success) deps.openPaths(parsed.data[0]);
  });
  deps.ipcMain.on(SEND.openFileReady, (event) => {
    if (isTrustedSender(event, deps.trusted)) deps.openFileReady(event.sender);
  });
  channels.push(SEND.droppedFiles, SEND.openFileReady);
  return channels;
}
