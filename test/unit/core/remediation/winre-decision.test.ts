// The WinRE script's decision per volume under wine cmd: a fake manage-bde reports the lock status, a fake drive holds the tree.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { generateScripts } from '../../../../core/remediation/generate.js';
import { sampleFleet, workspace } from './helpers.js';
import { driveC, ensurePrefix, prefix, wine, wineEnv } from './wine.js';

if (!wine) console.warn('wine not installed (apt-get install -y wine64): skipping the WinRE decision tests');
const root = path.join(tmpdir(), `ringside-rem-decision-${process.pid}`);
const usb = path.join(root, 'usb');
const disk = path.join(root, 'disk');
const LOG = 'ringside-cs-channel-291.log';
// Letters nothing else in the suite maps: U: is the technician's USB stick, P: the machine's Windows volume.
const links = { usb: path.join(prefix, 'dosdevices', 'u:'), disk: path.join(prefix, 'dosdevices', 'p:') };
// The fake manage-bde sits on the USB stick; cmd finds it through PATH as it would find the real one.
const env = wineEnv({ WINEPATH: 'U:\\bin' });

/**
 * A stand-in for manage-bde: `-status X:` prints the English status block with the Lock Status line written in
 * status-X.txt on the stick (Unlocked when there is none); anything else prints nothing. A batch file, not a
 * Unix script named .exe: wine starts Unix programs without waiting for them, so `for /f` would often read
 * nothing. The keyless script calls manage-bde only inside `for /f`, where a batch stand-in runs to its end.
 */
const FAKE_MANAGE_BDE = [
  '@echo off',
  'if not "%~1"=="-status" exit /b 0',
  'set "D=%~2"',
  'set "D=%D::=%"',
  'echo BitLocker Drive Encryption: Configuration Tool version 10.0.19041',
  'echo Volume %D%: [OSDisk]',
  'echo     Conversion Status:    Used Space Only Encrypted',
  'if exist "%~dp0status-%D%.txt" (type "%~dp0status-%D%.txt") else (echo     Lock Status:          Unlocked)',
  'echo     Protection Status:    Protection On',
  '',
].join('\r\n');

const CS = ['Windows', 'System32', 'drivers', 'CrowdStrike'];
let script = '';

function run(): { status: number | null; out: string; runLog: string; volumeLog: string | null } {
  rmSync(path.join(usb, LOG), { force: true });
  rmSync(path.join(disk, LOG), { force: true });
  const r = spawnSync(wine!, ['cmd', '/c', 'U:\\fix.cmd'], { env, cwd: driveC, timeout: 240_000 });
  const volume = path.join(disk, LOG);
  return {
    status: r.status,
    out: r.stdout.toString() + r.stderr.toString(),
    runLog: existsSync(path.join(usb, LOG)) ? readFileSync(path.join(usb, LOG), 'latin1') : '',
    volumeLog: existsSync(volume) ? readFileSync(volume, 'latin1') : null,
  };
}

/** The fake Windows volume: a System32 folder, and the CrowdStrike folder with the given files. */
function makeDisk(files: string[] | null, lockLine: string | null): void {
  rmSync(disk, { recursive: true, force: true });
  mkdirSync(disk, { recursive: true });
  if (files) {
    mkdirSync(path.join(disk, ...CS), { recursive: true });
    for (const f of files) writeFileSync(path.join(disk, ...CS, f), 'xx');
  }
  rmSync(path.join(usb, 'bin', 'status-P.txt'), { force: true });
  if (lockLine !== null) writeFileSync(path.join(usb, 'bin', 'status-P.txt'), `    ${lockLine}\r\n`);
}

describe.skipIf(!wine)('WinRE script decision per volume (wine cmd, fake manage-bde)', () => {
  beforeAll(async () => {
    ensurePrefix();
    const ws = await workspace();
    await sampleFleet(ws);
    // Without keys: the drive is either already unlocked (the technician typed the key at the BitLocker screen) or not.
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: false,
    });
    script = b.files[0]!.content;
    rmSync(root, { recursive: true, force: true });
    mkdirSync(path.join(usb, 'bin'), { recursive: true });
    writeFileSync(path.join(usb, 'fix.cmd'), script);
    writeFileSync(path.join(usb, 'bin', 'manage-bde.cmd'), FAKE_MANAGE_BDE);
    for (const [dir, link] of [
      [usb, links.usb],
      [disk, links.disk],
    ] as const) {
      rmSync(link, { force: true });
      symlinkSync(dir, link);
    }
  }, 300_000);

  afterAll(() => {
    rmSync(links.usb, { force: true });
    rmSync(links.disk, { force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('unlocked with the file: deletes exactly the 291 files, says DELETED in both logs, exit code 0', () => {
    const keep = ['C-00000290-00000000-00000032.sys', 'C-00000291.txt', 'other.sys'];
    makeDisk([...keep, 'C-00000291-00000000-00000032.sys'], 'Lock Status:          Unlocked');
    const r = run();
    expect(r.status, r.out).toBe(0);
    expect(readdirSync(path.join(disk, ...CS)).sort()).toEqual([...keep].sort());
    expect(r.runLog).toContain('C-00000291-00000000-00000032.sys');
    expect(r.runLog).toContain('DELETED on P: no C-00000291*.sys left');
    expect(r.runLog).toContain('RESULT: DELETED C-00000291*.sys');
    expect(r.runLog).not.toContain('nothing to delete');
    // The log on the repaired volume survives the restart that wipes X:.
    expect(r.volumeLog).toContain('DELETED on P: no C-00000291*.sys left');
    expect(r.volumeLog).toContain('C-00000291-00000000-00000032.sys');
  }, 300_000);

  it('unlocked and clean: the only case that says nothing to delete, exit code 0', () => {
    makeDisk(['C-00000290-00000000-00000032.sys'], null);
    const r = run();
    expect(r.status, r.out).toBe(0);
    expect(r.runLog).toContain('P: unlocked, \\Windows\\System32 readable, nothing to delete');
    expect(r.runLog).toContain('RESULT: nothing to delete');
    expect(r.volumeLog).toContain('P: unlocked, \\Windows\\System32 readable, nothing to delete');
    expect(readdirSync(path.join(disk, ...CS))).toEqual(['C-00000290-00000000-00000032.sys']);
  }, 300_000);

  it('locked: logged as LOCKED, never as nothing to delete, exit code 2', () => {
    // A locked BitLocker volume shows no folders at all.
    makeDisk(null, 'Lock Status:          Locked');
    const r = run();
    expect(r.status, r.out).toBe(2);
    expect(r.runLog).toContain('LOCKED P: - BitLocker reports the volume locked; not checked, nothing deleted');
    expect(r.runLog).toContain('RESULT: LOCKED');
    expect(r.runLog).not.toContain('nothing to delete');
    expect(r.runLog).toMatch(/finished .* exit code 2/);
    expect(r.volumeLog).toBeNull();
  }, 300_000);

  it('locked, manage-bde answering in German: not recognised as locked, but still not called clean, exit code 3', () => {
    makeDisk(null, 'Sperrstatus:          Gesperrt');
    const r = run();
    expect(r.status, r.out).toBe(3);
    expect(r.runLog).toContain('RESULT: NO READABLE WINDOWS VOLUME');
    expect(r.runLog).not.toContain('nothing to delete');
  }, 300_000);
});
