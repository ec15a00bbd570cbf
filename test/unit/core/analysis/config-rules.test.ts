// Analysis settings: defaults, what a stored value must be to be used, writeConfig's refusals, and the rules in words.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  PLATFORM_LABEL,
  readConfig,
  versionParts,
  writeConfig,
} from '../../../../core/analysis/config.js';
import { STATE_LABEL, stateRules } from '../../../../core/analysis/rules.js';
import { meta, openWorkspace, setMeta, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

/** A workspace as opened, with no window chosen (the analysis fixtures choose the published one). */
async function emptyWorkspace(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
}

describe('the channel-291 defaults', () => {
  it('04:09 to 05:27 UTC on 19 July 2024, sensor 7.11, Windows, 2 h recovery, 3 restarts in 1 h', async () => {
    expect(DEFAULT_CONFIG).toEqual({
      windowStart: Date.UTC(2024, 6, 19, 4, 9),
      windowEnd: Date.UTC(2024, 6, 19, 5, 27),
      windowSet: true,
      minVersion: '7.11',
      platform: 'windows',
      badVersion: '291-bad',
      selfRecoveryMs: 7_200_000,
      burstCount: 3,
      burstMs: 3_600_000,
    });
    expect(PLATFORM_LABEL).toEqual({ windows: 'Windows', mac: 'macOS', linux: 'Linux' });
  });

  it('a new workspace takes every default but the window, which is not set (0 to 0)', async () => {
    expect(readConfig(await emptyWorkspace())).toEqual({
      ...DEFAULT_CONFIG,
      windowStart: 0,
      windowEnd: 0,
      windowSet: false,
    });
  });
});

describe('readConfig: a stored value is used only when it is valid', () => {
  it('a chosen window: both ends readable (epoch ms digits or ISO text), else no window', async () => {
    const ws = await emptyWorkspace();
    setMeta(ws, 'analysis.window_start', '1000');
    setMeta(ws, 'analysis.window_end', '2024-07-19T06:00:00Z');
    expect(readConfig(ws)).toMatchObject({ windowStart: 1000, windowEnd: Date.UTC(2024, 6, 19, 6), windowSet: true });
    setMeta(ws, 'analysis.window_start', 'soon');
    expect(readConfig(ws)).toMatchObject({ windowStart: 0, windowEnd: 0, windowSet: false });
  });

  it('minVersion must be major or major.minor; platform is lower-cased; the bad version is taken as is', async () => {
    const ws = await emptyWorkspace();
    setMeta(ws, 'analysis.min_version', '8');
    setMeta(ws, 'analysis.platform', 'Linux');
    setMeta(ws, 'analysis.bad_version', 'v2');
    expect(readConfig(ws)).toMatchObject({ minVersion: '8', platform: 'linux', badVersion: 'v2' });
    setMeta(ws, 'analysis.min_version', '7.11.1');
    expect(readConfig(ws).minVersion).toBe('7.11');
    setMeta(ws, 'analysis.min_version', 'x7.11');
    expect(readConfig(ws).minVersion).toBe('7.11');
    setMeta(ws, 'analysis.min_version', '7.');
    expect(readConfig(ws).minVersion).toBe('7.11');
    setMeta(ws, 'analysis.min_version', '10.2');
    expect(readConfig(ws).minVersion).toBe('10.2');
    // A minor of two digits other than the default's: 8.15 is read as is, not replaced by 7.11.
    setMeta(ws, 'analysis.min_version', '8.15');
    expect(readConfig(ws).minVersion).toBe('8.15');
  });

  it('the recovery time and burst length must be positive; 1 ms counts, 0 and negatives and text fall back', async () => {
    const ws = await emptyWorkspace();
    setMeta(ws, 'analysis.self_recovery_ms', '1');
    setMeta(ws, 'analysis.burst_ms', '1');
    expect(readConfig(ws)).toMatchObject({ selfRecoveryMs: 1, burstMs: 1 });
    for (const bad of ['0', '-5', 'x', 'Infinity']) {
      setMeta(ws, 'analysis.self_recovery_ms', bad);
      setMeta(ws, 'analysis.burst_ms', bad);
      expect(readConfig(ws), bad).toMatchObject({ selfRecoveryMs: 7_200_000, burstMs: 3_600_000 });
    }
  });

  it('the burst count must be a whole number of at least 2', async () => {
    const ws = await emptyWorkspace();
    setMeta(ws, 'analysis.burst_count', '2');
    expect(readConfig(ws).burstCount).toBe(2);
    for (const bad of ['1', '2.5', 'x', '-3']) {
      setMeta(ws, 'analysis.burst_count', bad);
      expect(readConfig(ws).burstCount, bad).toBe(3);
    }
  });
});

describe('writeConfig', () => {
  it('stores every setting given and returns the merged settings; the window only when given', async () => {
    const ws = await emptyWorkspace();
    const next = writeConfig(ws, { platform: 'Mac', selfRecoveryMs: 1800_000, burstCount: 4, burstMs: 600_000 });
    expect(next).toEqual({
      ...DEFAULT_CONFIG,
      windowStart: 0,
      windowEnd: 0,
      windowSet: false,
      platform: 'Mac',
      selfRecoveryMs: 1800_000,
      burstCount: 4,
      burstMs: 600_000,
    });
    expect(meta(ws, 'analysis.window_start')).toBeUndefined();
    expect(meta(ws, 'analysis.min_version')).toBe('7.11');
    expect(meta(ws, 'analysis.platform')).toBe('mac');
    expect(meta(ws, 'analysis.bad_version')).toBe('291-bad');
    expect(meta(ws, 'analysis.self_recovery_ms')).toBe('1800000');
    expect(meta(ws, 'analysis.burst_count')).toBe('4');
    expect(meta(ws, 'analysis.burst_ms')).toBe('600000');
    expect(readConfig(ws)).toEqual({ ...next, platform: 'mac' });
  });

  it('a window of one instant is allowed; one that ends before it starts is refused', async () => {
    const ws = await emptyWorkspace();
    expect(writeConfig(ws, { windowStart: 5000, windowEnd: 5000 })).toMatchObject({
      windowStart: 5000,
      windowEnd: 5000,
      windowSet: true,
    });
    expect(meta(ws, 'analysis.window_start')).toBe('1970-01-01T00:00:05.000Z');
    expect(() => writeConfig(ws, { windowStart: 5001, windowEnd: 5000 })).toThrow(
      'the exposure window must start before it ends',
    );
    // With a window set, one end may be moved on its own.
    expect(writeConfig(ws, { windowEnd: 9000 })).toMatchObject({ windowStart: 5000, windowEnd: 9000 });
  });

  it('without a window, both ends must be given', async () => {
    const ws = await emptyWorkspace();
    expect(() => writeConfig(ws, { windowStart: 5000 })).toThrow('choose both ends of the exposure window');
    expect(() => writeConfig(ws, { windowEnd: 5000 })).toThrow('choose both ends of the exposure window');
    expect(readConfig(ws).windowSet).toBe(false);
  });

  it('refuses a version that is not major.minor and a burst count below 2', async () => {
    const ws = await emptyWorkspace();
    expect(() => writeConfig(ws, { minVersion: '7.x' })).toThrow('minVersion "7.x" is not major.minor');
    expect(() => writeConfig(ws, { minVersion: 'v7.11' })).toThrow(/not major\.minor/);
    expect(() => writeConfig(ws, { minVersion: '7.11.2' })).toThrow(/not major\.minor/);
    expect(() => writeConfig(ws, { burstCount: 1 })).toThrow('burstCount must be 2 or more');
    expect(() => writeConfig(ws, { burstCount: 2.5 })).toThrow('burstCount must be 2 or more');
    expect(writeConfig(ws, { burstCount: 2 }).burstCount).toBe(2);
  });
});

describe('versionParts', () => {
  it('major and minor as numbers; a missing minor is 0', () => {
    expect(versionParts('7.11')).toEqual([7, 11]);
    expect(versionParts('8')).toEqual([8, 0]);
    expect(versionParts('7.11.3')).toEqual([7, 11]);
  });
});

describe('the state rules in words carry the configured values', () => {
  it('labels for every state', () => {
    expect(STATE_LABEL).toEqual({
      not_exposed: 'Not exposed',
      exposed_healthy: 'Exposed, healthy',
      crashed: 'Crashed / boot loop',
      self_recovered: 'Self-recovered',
      needs_fix: 'Needs hands-on fix',
      fix_in_progress: 'Fix in progress',
      fixed: 'Fixed',
      needs_reimage: 'Needs reimage',
      unknown: 'Unknown',
    });
  });

  it('defaults: Windows, 7.11, 291-bad, the window in UTC, 2 h, 3 restarts within 60 min', async () => {
    const ws = await emptyWorkspace();
    writeConfig(ws, { windowStart: DEFAULT_CONFIG.windowStart, windowEnd: DEFAULT_CONFIG.windowEnd });
    const r = stateRules(ws);
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.exposure).toContain('Exposed: Windows, sensor ≥ 7.11, and online during 2024-07-19 04:09 UTC – 05:27 UTC');
    expect(r.exposure).toContain('"installed 291-bad" event in the window');
    expect(r.exposure).toContain('first seen before the window ends and last seen after it starts');
    expect(r.dataTime).toContain('as of the latest event in the workspace');
    expect(r.rules.map((x) => x.state)).toEqual([
      'unknown',
      'not_exposed',
      'exposed_healthy',
      'crashed',
      'self_recovered',
      'needs_fix',
      'fix_in_progress',
      'fixed',
      'needs_reimage',
    ]);
    for (const x of r.rules) expect(x.label).toBe(STATE_LABEL[x.state]);
    const rule = Object.fromEntries(r.rules.map((x) => [x.state, x.rule]));
    expect(rule.unknown).toContain('No platform or sensor version on file');
    expect(rule.not_exposed).toBe(
      'Another platform than Windows, a sensor below 7.11, rollout data without 291-bad in the window, or offline for the whole window.',
    );
    expect(rule.exposed_healthy).toContain('no crash, fix or field result');
    expect(rule.crashed).toContain('within 2 h of data time');
    expect(rule.crashed).toContain('a boot loop (3 or more unclean restarts');
    expect(rule.crashed).toContain('within 60 min, the first inside the window');
    expect(rule.self_recovered).toContain('seen online by any source after its last crash');
    expect(rule.needs_fix).toContain('more than 2 h since the last crash');
    expect(rule.fix_in_progress).toContain('"in_progress"');
    expect(rule.fixed).toContain('"fixed" event');
    expect(rule.needs_reimage).toContain('needs reimage');
    expect(r.classes.map((c) => c.name)).toEqual([
      'exposed',
      'affected',
      'recovered',
      'fixed',
      'remaining',
      'confirmed / suspected',
    ]);
    expect(r.classes.map((c) => c.rule.length > 0)).toEqual([true, true, true, true, true, true]);
    expect(r.classes[4]!.rule).toContain('crashed, needs_fix, fix_in_progress, needs_reimage');
  });

  it('configured values: 90 min shows as 1.5 h, 20 min bursts, an unlabelled platform as written', async () => {
    const ws = await emptyWorkspace();
    writeConfig(ws, {
      platform: 'solaris',
      selfRecoveryMs: 5_400_000,
      burstCount: 5,
      burstMs: 1_200_000,
      minVersion: '8',
    });
    const r = stateRules(ws);
    expect(r.exposure).toContain('Exposed: solaris, sensor ≥ 8,');
    const rule = Object.fromEntries(r.rules.map((x) => [x.state, x.rule]));
    expect(rule.crashed).toContain('within 1.5 h of data time');
    expect(rule.crashed).toContain('(5 or more unclean restarts');
    expect(rule.crashed).toContain('within 20 min');
    expect(rule.needs_fix).toContain('more than 1.5 h');
    // 1 h 20 min = 1.333... h is rounded to one decimal.
    writeConfig(ws, { selfRecoveryMs: 4_800_000, platform: 'linux' });
    expect(stateRules(ws).rules.find((x) => x.state === 'needs_fix')!.rule).toContain('more than 1.3 h');
    expect(stateRules(ws).exposure).toContain('Exposed: Linux,');
  });
});
