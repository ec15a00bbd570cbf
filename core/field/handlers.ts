// Worker/CLI entry points of the field domain (packs, merge-back, rotation list, audit log): each takes the open workspace first.
import { measured } from '../analysis/change-log.js';
import type { HandlerMap } from '../contract/handlers.js';
import {
  acknowledgeAudit,
  auditPage,
  auditReceipt,
  auditStatus,
  currentAnchor,
  exportAudit,
  rememberedAnchors,
  verifyAudit,
  type AuditAnchor,
  type AuditFilter,
} from '../store/audit.js';
import { packSiteCounts } from '../store/packs.js';
import type { Workspace } from '../workspace.js';
import { mergeResults, type MergeOptions } from './merge.js';
import { listPacks, rotationCsv, rotationList } from './pack-lists.js';
import { createPack, packStates, packPreview, type CreatePackOptions } from './packs.js';
import { revokePack } from './pack-life.js';
import { exportTracker, isTracker, trackerDiff, type TrackerScope } from './tracker.js';

export const fieldHandlers = {
  // The chain plus its anchors (own and those read from outside at open): issue 17. With `expect` (a receipt or head
  // kept elsewhere) it is also checked against that.
  auditVerify: (ws: Workspace, expect?: AuditAnchor) =>
    expect ? verifyAudit(ws.db, { anchors: rememberedAnchors(ws.db), expect }) : auditStatus(ws.db),
  auditAnchor: (ws: Workspace) => currentAnchor(ws.db),
  auditReceipt: (ws: Workspace) => auditReceipt(ws.db, ws.now()),
  auditAcknowledge: (ws: Workspace, note: string) => acknowledgeAudit(ws.db, { at: ws.now(), actor: ws.actor, note }),
  auditPage: (ws: Workspace, opts: { offset: number; limit: number; filter?: AuditFilter }) =>
    auditPage(ws.db, opts.offset, opts.limit, opts.filter),
  auditExport: (ws: Workspace, format: 'jsonl' | 'csv' = 'jsonl', filter?: AuditFilter) =>
    exportAudit(ws.db, format, { now: ws.now(), ...(filter ? { filter } : {}) }),
  createPack: (ws: Workspace, opts: CreatePackOptions) => createPack(ws, opts),
  /** Before a pack is saved: what it would carry and which devices have no valid key, with why. */
  packPreview: (ws: Workspace, opts: { site?: string; deviceIds?: number[] }) => packPreview(ws, opts),
  listPacks: (ws: Workspace) => listPacks(ws),
  /** Merges a results file and logs what it changed (see core/analysis/change-log.ts). */
  mergeResults: async (ws: Workspace, bytes: Uint8Array, fileName?: string, opts?: MergeOptions) =>
    (
      await measured(
        ws,
        'merge',
        (r) => `merge of ${fileName ?? 'results'}: ${r.added} results from ${r.technician}`,
        () => mergeResults(ws, bytes, fileName, opts),
      )
    ).result,
  /** Revokes a pack (audited): merge refuses its results from then on unless accepted explicitly. */
  revokePack: (ws: Workspace, packId: string, reason: string) => revokePack(ws, packId, reason),
  rotationList: (ws: Workspace) => rotationList(ws),
  /** A site's or ring's devices as an XLSX recovery tracker (issue 15). */
  exportTracker: (ws: Workspace, scope: TrackerScope = {}) => exportTracker(ws, scope),
  /** A tracker's edits compared with the workspace (nothing changes); null when the file is not a tracker. */
  trackerDiff: (ws: Workspace, bytes: Uint8Array, fileName: string) =>
    isTracker(bytes) ? trackerDiff(ws, bytes, fileName) : null,
  rotationCsv: (ws: Workspace) => rotationCsv(ws),
  /** Sites with how many devices a site pack would carry (still needing hands-on work). */
  packSites: (ws: Workspace) => packSiteCounts(ws.db, packStates(ws)),
} satisfies HandlerMap;
