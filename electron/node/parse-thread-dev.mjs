// The reading thread run from source (tsx, Vitest): registers tsx in this thread, then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./parse-thread.ts');
