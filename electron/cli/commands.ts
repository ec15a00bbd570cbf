// The registry of CLI commands; each lives in its own file.
import type { Command } from './context.js';
import { importCommand } from './import.js';
import { devicesCommand } from './devices.js';
import { reportCommand } from './report.js';
import { sampleCommand } from './sample.js';
import { summaryCommand } from './summary.js';
import { packCommand } from './pack.js';
import { mergeCommand } from './merge.js';
import { auditCommand } from './audit.js';
import { scriptsCommand } from './scripts.js';
import { rollbackCommand } from './rollback.js';
import { playbooksCommand } from './playbooks.js';
import { replayCommand } from './replay.js';
import { trackerCommand } from './tracker.js';

export const commands: Command[] = [
  importCommand,
  summaryCommand,
  devicesCommand,
  reportCommand,
  sampleCommand,
  packCommand,
  mergeCommand,
  trackerCommand,
  auditCommand,
  replayCommand,
  scriptsCommand,
  rollbackCommand,
  playbooksCommand,
];
