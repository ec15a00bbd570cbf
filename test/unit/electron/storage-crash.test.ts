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
  expect(r.acknowledged).toBeGreaterThan(r.trials);
  expect(r.lost).toBe(0);
  expect(r.unopenable).toBe(0);
  expect(r.quarantined).toBe(0);
  expect(r.integrityFailures).toBe(0);
}, 240_000);
