// The registry of CLI commands; each lives in its own file.
import type { Command } from './context.js';

export const commands: Command[] = [];
