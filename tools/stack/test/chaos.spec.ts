// The chaos suite at CI size: 2,000 recipients through the real pipeline with one of each fault
// (dispatcher SIGKILLed twice, csv-splitter mid-file, status-tracker, a broker restart, 5xx,
// timeouts, a 130429 storm, a 131056 window). `npm run chaos` runs the 20,000-recipient version.
import { formatChaosReport, runChaos } from '../src/chaos.ts';

describe('chaos (CI size)', () => {
  it('loses no recipient and messages none twice under kills, a broker restart and API faults', async () => {
    const report = await runChaos({
      recipients: 2000,
      mps: 200,
      seed: Number(process.env.CHAOS_SEED ?? 20261127),
      timeoutMs: 270_000,
    });
    process.stdout.write(`${formatChaosReport(report)}\n`);
    expect(report.recipients).toBeGreaterThan(1500);
    expect(report.terminal).toBe(report.recipients);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.mismatches).toEqual([]);
    expect(report.countsMatchLedger).toBe(true);
    // Every check the report prints, including the bound on unknowns that never reached Meta.
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  }, 360_000);
});
