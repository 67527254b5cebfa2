import { etaSeconds, isComplete, publicState, ratePerSecond } from './progress.js';
import { emptyCounts } from './recipient-state.js';

describe('progress', () => {
  it('is complete only after the split, with nothing pending and every row counted', () => {
    const counts = { ...emptyCounts(), delivered: 7, failed: 1, skipped: 2 };
    expect(isComplete({ splitCompleted: true, totalRows: 10, counts })).toBe(true);
    expect(isComplete({ splitCompleted: false, totalRows: 10, counts })).toBe(false);
    expect(isComplete({ splitCompleted: true, totalRows: 11, counts })).toBe(false);
    expect(
      isComplete({ splitCompleted: true, totalRows: 10, counts: { ...counts, pending: 1 } }),
    ).toBe(false);
    expect(isComplete({ splitCompleted: true, totalRows: 0, counts: emptyCounts() })).toBe(true);
  });

  it('derives sending/completed from the counters, keeps other states', () => {
    expect(publicState('sending', true)).toBe('completed');
    expect(publicState('completed', false)).toBe('sending');
    expect(publicState('failed', true)).toBe('failed');
    expect(publicState('splitting', false)).toBe('splitting');
  });

  it('measures the rate over the window, or over a younger broadcast own age', () => {
    const now = new Date('2026-01-01T00:01:00Z');
    expect(
      ratePerSecond({
        terminalInWindow: 600,
        oldestInWindow: new Date('2026-01-01T00:00:00Z'),
        windowSeconds: 60,
        now,
      }),
    ).toBe(10);
    expect(
      ratePerSecond({
        terminalInWindow: 100,
        oldestInWindow: new Date('2026-01-01T00:00:50Z'),
        windowSeconds: 60,
        now,
      }),
    ).toBe(10);
    expect(
      ratePerSecond({ terminalInWindow: 1, oldestInWindow: now, windowSeconds: 60, now }),
    ).toBe(1);
    expect(
      ratePerSecond({ terminalInWindow: 0, oldestInWindow: undefined, windowSeconds: 60, now }),
    ).toBe(0);
    expect(etaSeconds(1000, 10)).toBe(100);
    expect(etaSeconds(5, 0)).toBeUndefined();
    expect(etaSeconds(0, 0)).toBe(0);
  });
});
