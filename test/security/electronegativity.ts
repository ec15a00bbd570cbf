// The Electronegativity gate: scans electron/ and renderer/index.html, fails on MEDIUM+ and on unexplained LOW findings.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { splitRecords } from '../../core/ingest/readers/csv-text.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Finding {
  id: string;
  severity: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  confidence: string;
  file: string;
  location: string;
  sample: string;
  description: string;
}

/** The CSV report: quoted fields may hold commas, doubled quotes and newlines (a CSP sample can span lines). */
export function parseCsv(text: string): Finding[] {
  // The importer's exact CSV splitter, which keeps a quoted newline inside its field.
  const rows = splitRecords(text.replace(/\r\n/g, '\n'), ',')
    .map((r) => r.fields.map((c) => c.trim()))
    .filter((cells) => cells.some((c) => c !== ''));
  const [header, ...body] = rows;
  if (!header || header[0] !== 'issue')
    throw new Error(`unexpected Electronegativity CSV header: ${header?.join(',')}`);
  return body.map(([id, severity, confidence, file, location, sample, description]) => ({
    id: id!,
    severity: severity as Finding['severity'],
    confidence: confidence!,
    file: file!,
    location: location!,
    sample: sample ?? '',
    description: description ?? '',
  }));
}

/** The accepted-findings table in docs/security.md: `| CHECK_ID | file | reason |` rows with a written reason. */
export function acceptedFindings(doc: string): Map<string, string> {
  const section = doc.split(/^## /m).find((s) => s.startsWith('Accepted Electronegativity findings')) ?? '';
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*`?([A-Z_]+)`?\s*\|\s*`?([^|`]+?)`?\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (m && m[1] !== 'Check' && m[3]!.length >= 20) out.set(`${m[1]} ${m[2]}`, m[3]!);
  }
  return out;
}

/** Findings that fail the gate, each with why. */
export function gate(findings: Finding[], accepted: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const f of findings) {
    const where = `${f.id} ${f.file}:${f.location}`;
    if (['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity)) problems.push(`${f.severity} ${where}: ${f.description}`);
    else if (!accepted.has(`${f.id} ${f.file}`))
      problems.push(
        `${f.severity} ${where} is not explained in docs/security.md ("Accepted Electronegativity findings")`,
      );
  }
  return problems;
}

/** Runs the tool over a copy of electron/ plus renderer/index.html and package.json (for the version check). */
export async function runElectronegativity(): Promise<Finding[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ringside-eng-'));
  try {
    const src = path.join(tmp, 'src');
    cpSync(path.join(root, 'electron'), path.join(src, 'electron'), { recursive: true });
    cpSync(path.join(root, 'renderer', 'index.html'), path.join(src, 'index.html'));
    cpSync(path.join(root, 'package.json'), path.join(src, 'package.json'));
    const csv = path.join(tmp, 'report.csv');
    const bin = path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
    await promisify(execFile)(
      process.execPath,
      [
        '--require',
        path.join(root, 'test', 'security', 'offline.cjs'),
        bin,
        '-i',
        src,
        '-r',
        '-o',
        csv,
        '-x',
        'AvailableSecurityFixesGlobalCheck',
      ],
      { cwd: tmp, timeout: 120_000, env: { ...process.env, LANG: 'en-US', FORCE_COLOR: '0' } },
    );
    return parseCsv(readFileSync(csv, 'utf8'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// `npx tsx test/security/electronegativity.ts`: the same gate from the command line.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const findings = await runElectronegativity();
  const problems = gate(findings, acceptedFindings(readFileSync(path.join(root, 'docs', 'security.md'), 'utf8')));
  for (const f of findings) console.log(`${f.severity.padEnd(13)} ${f.id} ${f.file}:${f.location}`);
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
