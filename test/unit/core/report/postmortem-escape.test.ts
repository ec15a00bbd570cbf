// The Markdown postmortem from hostile names: no HTML, link or image from a site, ring or hostname survives rendering.
import MarkdownIt from 'markdown-it';
import { expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { mdText, report } from '../../../../core/report/report.js';
import { crashedDevice, emptyWorkspace } from '../analysis/fixtures.js';

const SITE = '<img src=x onerror=alert(1)>';
const RING = '[click](javascript:alert(1))';
const HOST = '![p](http://evil.example/p.png)';
const SITE2 = 'https://evil.example/login and www.evil.example `code` **bold** | pipe';

it('mdText escapes HTML as entities and Markdown punctuation with backslashes', () => {
  expect(mdText('<b>&</b>')).toBe('&lt;b&gt;&amp;&lt;/b&gt;');
  expect(mdText('[a](b) ![c](d)')).toBe('\\[a\\](b) \\!\\[c\\](d)');
  expect(mdText('x|y *z* _w_ `v`\nnext')).toBe('x\\|y \\*z\\* \\_w\\_ \\`v\\` next');
  expect(mdText('http://h www.h')).toBe('http\\://h www\\.h');
  expect(mdText('LON-1 (main)')).toBe('LON-1 (main)');
});

it('a postmortem from hostile names renders with no tag, link or image, the names shown as text', async () => {
  const ws = await emptyWorkspace();
  const tags = 'falcongroupingtags/critical-clinical';
  crashedDevice(ws, { hostname: HOST, site: SITE, ring: RING, platform: 'windows', tags });
  crashedDevice(ws, { hostname: 'PC-2', site: SITE2, ring: 'Test', platform: 'windows', tags });
  recompute(ws);
  const md = report(ws).markdown;
  // Positive control: the same names pasted raw do render as an image, a link and a tag.
  const md2html = new MarkdownIt({ html: true, linkify: true });
  const raw = md2html.render(`| a |\n| --- |\n| ${SITE} ${RING} ${HOST} ${SITE2} |\n`);
  expect(raw).toMatch(/<img src="x"|<img src=x/);
  expect(raw).toContain('<a href="http');
  expect(raw).toContain('<img src="http://evil.example/p.png"');

  const html = md2html.render(md);
  expect(html).not.toMatch(/<img|<a |<script|<code>code|<strong>bold/);
  // The names are shown as written (HTML-escaped by the renderer).
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(html).toContain('[click](javascript:alert(1))');
  expect(html).toContain('![p](http://evil.example/p.png)');
  expect(html).toContain('https://evil.example/login and www.evil.example `code` **bold** | pipe');
  ws.db.close();
});
