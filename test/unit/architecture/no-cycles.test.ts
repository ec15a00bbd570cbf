// The core's folders form layers: no import cycle between two of them, and no core file reaches into the renderer or electron.
import { fileURLToPath } from 'node:url';
import { cruise, type IModule } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The layer a core file belongs to: its first folder under core/, or the root file itself (workspace.ts, session.ts). */
function layer(path: string): string | null {
  const m = /^core\/([^/]+)\//.exec(path);
  if (m) return m[1]!;
  return /^core\/[^/]+\.ts$/.test(path) ? path : null;
}

/**
 * Edges between layers, with the imports that make each one. A type-only import of core/workspace.ts is left out:
 * the open-workspace handle is what every layer's functions receive (store repositories included), and a type
 * import of it loads nothing; every other import counts, type-only or not.
 */
function layerEdges(modules: IModule[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const m of modules) {
    const from = layer(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = layer(d.resolved);
      if (!to || to === from) continue;
      if (to === 'core/workspace.ts' && d.dependencyTypes.includes('type-only')) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${m.source} -> ${d.resolved}`]);
    }
  }
  return edges;
}

/** Every cycle in the layer graph, each as the layers in order and the imports along it (Tarjan-free: graphs are tiny). */
function layerCycles(edges: Map<string, string[]>): string[] {
  const next = new Map<string, string[]>();
  for (const key of edges.keys()) {
    const [a, b] = key.split(' -> ') as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const found = new Set<string>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const b of next.get(at) ?? []) {
      if (b === start) {
        const ring = [...path, start];
        const min = ring.slice(0, -1).reduce((x, y) => (y < x ? y : x));
        if (ring[0] === min) {
          const via = ring.slice(0, -1).map((l, i) => edges.get(`${l} -> ${ring[i + 1]}`)![0]);
          found.add(`${ring.join(' -> ')}  (${via.join('; ')})`);
        }
      } else if (!path.includes(b)) walk(start, b, [...path, b]);
    }
  };
  for (const a of next.keys()) walk(a, a, [a]);
  return [...found].sort();
}

describe('core layers', () => {
  let modules: IModule[];
  beforeAll(async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const result = await cruise(['core'], { tsPreCompilationDeps: true, exclude: { path: 'node_modules' } });
      modules = (result.output as { modules: IModule[] }).modules;
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads the whole core', () => {
    const files = modules.filter((m) => m.source.startsWith('core/')).map((m) => m.source);
    expect(files).toContain('core/workspace.ts');
    expect(files).toContain('core/shared/hostname.ts');
    expect(files.length).toBeGreaterThan(100);
    // Every import of a core file resolved to a file (an unresolved one would hide an edge).
    const lost = modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')));
    expect(lost.map((d) => d.module)).toEqual([]);
  });

  it('has no import cycle between two core folders', () => {
    expect(layerCycles(layerEdges(modules))).toEqual([]);
  });

  it('keeps the core free of the renderer and electron', () => {
    const out = modules
      .filter((m) => m.source.startsWith('core/'))
      .flatMap((m) =>
        m.dependencies
          .filter((d) => /^(renderer|electron)\//.test(d.resolved))
          .map((d) => `${m.source} -> ${d.resolved}`),
      );
    expect(out).toEqual([]);
  });

  it('finds a cycle and an outward import when one is there (the checks can fail)', () => {
    const fake: IModule[] = [
      { source: 'core/analysis/a.ts', dependencies: [{ resolved: 'core/charts/b.ts', dependencyTypes: ['local'] }] },
      { source: 'core/charts/b.ts', dependencies: [{ resolved: 'core/analysis/c.ts', dependencyTypes: ['local'] }] },
      { source: 'core/store/d.ts', dependencies: [{ resolved: 'core/workspace.ts', dependencyTypes: ['type-only'] }] },
      { source: 'core/workspace.ts', dependencies: [{ resolved: 'core/store/d.ts', dependencyTypes: ['local'] }] },
    ] as unknown as IModule[];
    expect(layerCycles(layerEdges(fake))).toEqual([
      'analysis -> charts -> analysis  (core/analysis/a.ts -> core/charts/b.ts; core/charts/b.ts -> core/analysis/c.ts)',
    ]);
  });
});
