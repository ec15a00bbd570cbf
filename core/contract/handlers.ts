// The handler types every domain is typed against: functions taking the workspace first, and the async form the UI sees.
import type { Workspace } from '../workspace.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handler arguments are checked per handler, not here
export type Handler = (ws: Workspace, ...args: any[]) => unknown;
export type HandlerMap = Record<string, Handler>;

/** The same map with the workspace bound and every result made async, as the UI sees it through the worker. */
export type Bound<M extends HandlerMap> = {
  [K in keyof M]: M[K] extends (ws: Workspace, ...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};
