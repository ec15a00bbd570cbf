// Exports a rendered chart: its SVG serialised as a file, or drawn onto a canvas and saved as a PNG.
import type { HostApi } from '../../../core/contract/host.js';

function svgOf(container: HTMLElement): SVGSVGElement {
  // The largest SVG is the chart: recharts also draws each legend icon as a small svg.recharts-surface.
  let best: SVGSVGElement | null = null;
  let area = 0;
  for (const svg of container.querySelectorAll<SVGSVGElement>('svg')) {
    const r = svg.getBoundingClientRect();
    if (r.width * r.height > area) {
      best = svg;
      area = r.width * r.height;
    }
  }
  if (!best) throw new Error('the chart has not been drawn yet');
  return best;
}

/** Small multiples are many small SVGs: lay them out in one, each at its place on screen, titled as on screen. */
function composeMultiples(root: HTMLElement, text: string): { svg: SVGSVGElement; width: number; height: number } {
  const ns = 'http://www.w3.org/2000/svg';
  const origin = root.getBoundingClientRect();
  const out = document.createElementNS(ns, 'svg');
  let width = 0;
  let height = 0;
  for (const panel of root.querySelectorAll<HTMLElement>('.sm-panel')) {
    const chart = svgOf(panel);
    const r = panel.getBoundingClientRect();
    const c = chart.getBoundingClientRect();
    const clone = chart.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', String(Math.round(c.left - origin.left)));
    clone.setAttribute('y', String(Math.round(c.top - origin.top)));
    clone.setAttribute('width', String(Math.round(c.width)));
    clone.setAttribute('height', String(Math.round(c.height)));
    const title = document.createElementNS(ns, 'text');
    title.setAttribute('x', String(Math.round(r.left - origin.left)));
    title.setAttribute('y', String(Math.round(c.top - origin.top) - 4));
    title.setAttribute('font-size', '12');
    title.setAttribute('fill', text);
    title.textContent = panel.dataset.title ?? '';
    out.append(title, clone);
    width = Math.max(width, r.right - origin.left);
    height = Math.max(height, r.bottom - origin.top);
  }
  if (!out.childNodes.length) throw new Error('the chart has not been drawn yet');
  return { svg: out, width, height };
}

/** A standalone SVG document: explicit size, namespace, a background and a title (the page's CSS does not travel). */
export function serialiseSvg(container: HTMLElement, title: string, background: string, text: string): string {
  const grid = container.querySelector<HTMLElement>('[data-multiples] .sm-grid');
  const { svg, width, height } = grid
    ? composeMultiples(grid, text)
    : (() => {
        const one = svgOf(container);
        const r = one.getBoundingClientRect();
        return { svg: one, width: r.width, height: r.height };
      })();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const ns = 'http://www.w3.org/2000/svg';
  clone.setAttribute('xmlns', ns);
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height) + 28));
  clone.setAttribute('viewBox', `0 -28 ${Math.round(width)} ${Math.round(height) + 28}`);
  clone.setAttribute('font-family', 'system-ui, Segoe UI, Roboto, Arial, sans-serif');
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('x', '0');
  bg.setAttribute('y', '-28');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', background);
  const caption = document.createElementNS(ns, 'text');
  caption.setAttribute('x', '8');
  caption.setAttribute('y', '-9');
  caption.setAttribute('font-size', '15');
  caption.setAttribute('font-weight', '600');
  caption.setAttribute('fill', text);
  caption.textContent = title;
  clone.insertBefore(caption, clone.firstChild);
  clone.insertBefore(bg, clone.firstChild);
  // The legend is HTML outside the SVG in recharts; draw a plain text legend so exports stay self-explaining.
  const items = [...container.querySelectorAll<HTMLElement>('.recharts-legend-item')];
  // A patterned legend icon references a definition inside its own little svg: bring those along.
  for (const li of items) for (const defs of li.querySelectorAll('defs')) clone.append(defs.cloneNode(true));
  const legend = items.map((li) => ({
    label: li.textContent ?? '',
    colour:
      li.querySelector('path, rect')?.getAttribute('fill') ??
      li.querySelector('path, line')?.getAttribute('stroke') ??
      text,
  }));
  let x = 200;
  for (const l of legend) {
    const sw = document.createElementNS(ns, 'rect');
    sw.setAttribute('x', String(x));
    sw.setAttribute('y', '-21');
    sw.setAttribute('width', '10');
    sw.setAttribute('height', '10');
    sw.setAttribute('fill', l.colour);
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(x + 14));
    t.setAttribute('y', '-12');
    t.setAttribute('font-size', '11');
    t.setAttribute('fill', text);
    t.textContent = l.label;
    clone.insertBefore(t, clone.children[2] ?? null);
    clone.insertBefore(sw, clone.children[2] ?? null);
    x += 24 + l.label.length * 6.5;
  }
  return new XMLSerializer().serializeToString(clone);
}

/** Draws the SVG text on a canvas at `scale` and returns the PNG bytes. */
export async function svgToPng(svgText: string, scale = 2): Promise<Uint8Array> {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const root = doc.documentElement;
  const w = Number(root.getAttribute('width'));
  const h = Number(root.getAttribute('height'));
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(w * scale));
    canvas.height = Math.max(1, Math.round(h * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (!blob) throw new Error('PNG encoding failed');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function fileSlug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export async function exportChart(
  host: HostApi,
  container: HTMLElement,
  title: string,
  kind: 'png' | 'svg',
  colours: { background: string; text: string },
): Promise<string | null> {
  const svg = serialiseSvg(container, title, colours.background, colours.text);
  if (kind === 'svg')
    return host.saveFile({ suggestedName: `${fileSlug(title)}.svg`, data: svg, mime: 'image/svg+xml' });
  const png = await svgToPng(svg);
  return host.saveFile({ suggestedName: `${fileSlug(title)}.png`, data: png, mime: 'image/png' });
}
