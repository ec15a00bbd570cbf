// The one handler map: every domain's entry points, which the worker exposes and the CLI and tests call directly.
import { analysisHandlers } from '../analysis/handlers.js';
import { chartHandlers } from '../charts/handlers.js';
import { fieldHandlers } from '../field/handlers.js';
import { ingestHandlers } from '../ingest/handlers.js';
import { remediationHandlers } from '../remediation/handlers.js';
import { replayHandlers } from '../replay/handlers.js';
import { reportHandlers } from '../report/handlers.js';
import { sampleHandlers } from '../sample/handlers.js';
import type { Bound } from '../contract/handlers.js';

export const handlers = {
  ...ingestHandlers,
  ...analysisHandlers,
  ...remediationHandlers,
  ...fieldHandlers,
  ...replayHandlers,
  ...sampleHandlers,
  ...chartHandlers,
  ...reportHandlers,
};

export type Handlers = typeof handlers;
export type WorkspaceApi = Bound<Handlers>;
