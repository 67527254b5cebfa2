import { categoryOf, classifyError, retryDelayMs } from './error-classes.js';

describe('classifyError', () => {
  it.each([
    [130429, 'throttle-sender'],
    [131056, 'throttle-recipient'],
    [131057, 'pause-sender'],
    [131000, 'retry'],
    [131016, 'retry'],
    [190, 'account'],
    [132015, 'account'],
    [131048, 'account'],
    [368, 'account'],
    [131026, 'permanent'],
    [132000, 'permanent'],
    [100, 'permanent'],
    [250, 'account'],
  ] as const)('%i → %s', (code, action) => {
    expect(classifyError(code)).toBe(action);
  });

  it('maps actions to the contract categories', () => {
    expect(categoryOf('retry')).toBe('transient');
    expect(categoryOf('permanent')).toBe('permanent');
    expect(categoryOf('account')).toBe('account');
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(retryDelayMs('retry', 1, () => 0)).toBe(125);
    expect(retryDelayMs('retry', 1, () => 1)).toBe(250);
    expect(retryDelayMs('retry', 4, () => 1)).toBe(2000);
    expect(retryDelayMs('retry', 20, () => 1)).toBe(30_000);
  });

  it('backs a recipient off about 4^n seconds on 131056', () => {
    expect(retryDelayMs('throttle-recipient', 1, () => 0.5)).toBe(1000);
    expect(retryDelayMs('throttle-recipient', 3, () => 0.5)).toBe(16_000);
  });
});
