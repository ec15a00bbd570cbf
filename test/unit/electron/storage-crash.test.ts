// Crash durability: 100 SIGKILL trials against the real storage path; no acknowledged action lost, every workspace opens.
import { expect, test } from 'vitest';
import { runCrashTrials } from '../../durability/harness.js';

test('kill -9 during journal appends and snapshot saves loses nothing acknowledged (100 trials)', async () => {
  const trials = Number(process.env.RINGSIDE_CRASH_TRIALS ?? 100);
  const r = await runCrashTrials(trials);
  console.log(
    `crash harness: ${r.trials} trials, ${r.acknowledged} acknowledged actions, ${r.lost} lost, ` +
      `${r.unopenable} unopenable, ${r.quarantined} quarantined, ${r.integrityFailures} integrity failures, ` +
      `${r.killedDuringSave} kills during a snapshot save, ${(r.ms / 1000).toFixed(1)} s`,
  );
  // That the trials exercised the storage at all: kills come 0-400 ms after the child is ready, so a loaded machine
  // acknowledges fewer actions per trial (95 in 100 trials at load 10); the durability checks are the ones below.
  expect(r.acknowledged).toBeGreaterThan(r.trials / 2);
  expect(r.lost).toBe(0);
  expect(r.unopenable).toBe(0);
  expect(r.quarantined).toBe(0);
  expect(r.integrityFailures).toBe(0);
}, 240_000);
