// Worker/CLI entry points of the field domain (packs, merge-back, rotation list, audit log): each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';
import { auditPage, exportAudit, verifyAudit } from '../store/audit.js';
import type { Workspace } from '../workspace.js';
import {
  createPack,
  listPacks,
  packStates,
  mergeResults,
  rotationCsv,
  rotationList,
  type CreatePackOptions,
  type MergeOptions,
} from './packs.js';
import { revokePack } from './pack-life.js';

export const fieldHandlers = {
  auditVerify: (ws: Workspace) => verifyAudit(ws.db),
  auditPage: (ws: Workspace, opts: { offset: number; limit: number }) => auditPage(ws.db, opts.offset, opts.limit),
  auditExport: (ws: Workspace, format: 'jsonl' | 'csv' = 'jsonl') => exportAudit(ws.db, format),
  createPack: (ws: Workspace, opts: CreatePackOptions) => createPack(ws, opts),
  listPacks: (ws: Workspace) => listPacks(ws),
  mergeResults: (ws: Workspace, bytes: Uint8Array, fileName?: string, opts?: MergeOptions) =>
    mergeResults(ws, bytes, fileName, opts),
  /** Revokes a pack (audited): merge refuses its results from then on unless accepted explicitly. */
  revokePack: (ws: Workspace, packId: string, reason: string) => revokePack(ws, packId, reason),
  rotationList: (ws: Workspace) => rotationList(ws),
  rotationCsv: (ws: Workspace) => rotationCsv(ws),
  /** Sites with how many devices a site pack would carry (still needing hands-on work). */
  packSites: (ws: Workspace) =>
    ws.db.all<{ site: string; devices: number; fixed: number }>(
      `SELECT site, SUM(state IN (${packStates(ws)
        .map((s) => `'${s}'`)
        .join(',')})) AS devices,
         SUM(state = 'fixed') AS fixed
       FROM devices WHERE site IS NOT NULL AND site <> '' AND superseded_by IS NULL GROUP BY site ORDER BY site`,
    ),
} satisfies HandlerMap;
