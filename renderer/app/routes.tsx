// The views of an open workspace, in sidebar order; each feature folder owns its view.
import type { ComponentType } from 'react';
import { AuditView } from '../features/audit/AuditView.js';
import { DevicesView } from '../features/devices/DevicesView.js';
import { ImportView } from '../features/import/ImportView.js';
import { OverviewView } from '../features/overview/OverviewView.js';
import { PacksView } from '../features/packs/PacksView.js';
import { ReplayView } from '../features/replay/ReplayView.js';
import { ReportView } from '../features/report/ReportView.js';
import { ScriptsView } from '../features/scripts/ScriptsView.js';

export interface Route {
  id: string;
  label: string;
  /** Alt+key shortcut shown in the sidebar. */
  key: string;
  View: ComponentType;
}

export const routes: Route[] = [
  { id: 'overview', label: 'Overview', key: '1', View: OverviewView },
  { id: 'devices', label: 'Devices', key: '2', View: DevicesView },
  { id: 'import', label: 'Import', key: '3', View: ImportView },
  { id: 'scripts', label: 'Scripts', key: '4', View: ScriptsView },
  { id: 'packs', label: 'Field packs', key: '5', View: PacksView },
  { id: 'replay', label: 'Rollout replay', key: '6', View: ReplayView },
  { id: 'audit', label: 'Audit', key: '7', View: AuditView },
  { id: 'report', label: 'Report', key: '8', View: ReportView },
];
