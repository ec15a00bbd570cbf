// Hand-checked properties of every stored golden script: each file deletes, removes or rolls back exactly what its
// playbook asks and nothing wider. A golden only says "same as last time"; these say "right", and cover every file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const GOLDEN = path.resolve('test/fixtures/remediation');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [path.relative(GOLDEN, p).split(path.sep).join('/')];
  });
}

const text = (f: string) => readFileSync(path.join(GOLDEN, f), 'utf8');
/** Lines that are not comments, echoes or log calls: what the shell would run. */
const commands = (f: string) =>
  text(f)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(#|rem\b|::|echo\b|>>"%RS_LOG%" echo|Write-RsLog|rs_log\b)/i.test(l));
/** Commands that delete, uninstall, downgrade or hold something. */
const DESTRUCTIVE = /(^|[\s&'(])(del|erase|rd|rmdir|rm|Remove-Item|wusa|dism(\.exe)?|apt-get|apt-mark|dnf|yum)\s/i;

// The one file pattern channel 291's fix deletes (CrowdStrike's remediation, 19 July 2024); nothing wider.
const CS_FILE = 'C-00000291*.sys';
const CS_DIR = /[\\/]Windows[\\/]System32[\\/]drivers[\\/]CrowdStrike/;

const checked = new Set<string>();
const all = files(GOLDEN);

describe('golden scripts do exactly what their playbook asks', () => {
  it('channel 291 scripts delete only C-00000291*.sys in the CrowdStrike driver folder', () => {
    const cs = all.filter((f) => f.startsWith('cs-channel-291/') && !f.includes('/runsheet/'));
    expect(cs.length).toBeGreaterThanOrEqual(4);
    for (const f of cs) {
      const deletes = commands(f).filter((l) => DESTRUCTIVE.test(l));
      for (const l of deletes) {
        if (/^del\s/i.test(l)) {
          // cmd deletes by path: the path itself must be the pattern, in the driver folder.
          expect(l, f).toMatch(CS_DIR);
          expect(l.endsWith(`\\${CS_FILE}"`), `${f}: ${l}`).toBe(true);
        } else {
          // PowerShell and bash delete one file a loop found: the loop's filter must be exactly the pattern.
          expect(l, f).toMatch(/^(Remove-Item -LiteralPath \$file\.FullName -Force|rm -f -- "\$rs_file")$/);
          expect(text(f), f).toMatch(
            /Where-Object \{ \$_\.Name -like 'C-00000291\*\.sys' \}|for rs_file in "\$rs_dir"\/C-00000291\*\.sys; do/,
          );
        }
      }
      // No wildcard broader than the pattern anywhere: no C-0000029*, CrowdStrike\*, *.sys on its own.
      expect(text(f), f).not.toMatch(/C-0000029\*|CrowdStrike[\\/]\*|[\\/]\*\.sys/);
      // Cloud routes delete nothing themselves (they swap disks); the ones that delete, delete just one pattern.
      if (/\.(cmd|ps1)$/.test(f) || f.endsWith('linux-rescue-bash.sh')) expect(deletes, f).toHaveLength(1);
      else expect(deletes, f).toEqual([]);
      checked.add(f);
    }
  });

  it('channel 291 run sheets tell the technician to delete exactly that pattern, for their own host', () => {
    for (const f of all.filter((x) => x.startsWith('cs-channel-291/runsheet/'))) {
      const host = path.basename(f, '.txt');
      const t = text(f);
      expect(t, f).toContain(host);
      const dels = t.split(/\r?\n/).filter((l) => /^\s*del\s/i.test(l));
      expect(
        dels.map((l) => l.trim()),
        f,
      ).toEqual([`del C:\\Windows\\System32\\drivers\\CrowdStrike\\${CS_FILE}`]);
      checked.add(f);
    }
  });

  it('the Windows update rollback removes only KB5040442 (or its one named package)', () => {
    for (const f of all.filter((x) => x.startsWith('windows-update-rollback/'))) {
      const removes = commands(f).filter((l) => /wusa|Remove-Package|Uninstall|pause/i.test(l));
      const wusa = removes.filter((x) => /^wusa\s/i.test(x));
      for (const l of wusa) expect(l, f).toMatch(/^wusa \/uninstall \/kb:5040442 \/quiet \/norestart$/);
      if (!f.includes('dism') && !f.includes('intune')) expect(wusa, f).toHaveLength(1);
      for (const l of removes.filter((x) => /\/Remove-Package/.test(x) && !/<name>/.test(x)))
        expect(l, f).toContain("'Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6'");
      // No other KB number appears in a command.
      for (const l of commands(f)) for (const kb of l.match(/kb:?\s*\d+/gi) ?? []) expect(kb, f).toMatch(/5040442$/);
      checked.add(f);
    }
  });

  it('the Linux package rollback touches only falcon-sensor (7.15.0-17106) or transaction 42', () => {
    for (const f of all.filter((x) => x.startsWith('linux-package-rollback/'))) {
      for (const l of commands(f).filter((x) => DESTRUCTIVE.test(x) && !/showhold|history info/.test(x))) {
        if (/history undo/.test(l)) expect(l, f).toMatch(/dnf -y history undo '?42'?$/);
        else expect(l, f).toMatch(/-- '?falcon-sensor'?(=?'?7\.15\.0-17106'?)?$/);
      }
      checked.add(f);
    }
  });

  it('every golden file has a property above', () => {
    expect(all.filter((f) => !checked.has(f))).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(20);
  });
});
