// Zod must not probe `new Function` under our CSP (no 'unsafe-eval'); imported first by the page and the worker.
import { z } from 'zod';

z.config({ jitless: true });
