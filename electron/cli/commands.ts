// The registry of CLI commands; each lives in its own file.
import type { Command } from './context.js';
import { importCommand } from './import.js';
import { devicesCommand } from './devices.js';
import { reportCommand } from './report.js';
import { summaryCommand } from './summary.js';

export const commands: Command[] = [importCommand, summaryCommand, devicesCommand, reportCommand];
