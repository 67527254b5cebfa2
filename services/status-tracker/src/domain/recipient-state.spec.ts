import {
  mergeState,
  RECIPIENT_STATES,
  TERMINAL_STATES,
  type FactSource,
  type RecipientState,
} from './recipient-state.js';

const fold = (facts: [RecipientState, FactSource][], start: RecipientState = 'pending') =>
  facts.reduce<RecipientState>(
    (state, [incoming, source]) => mergeState(state, incoming, source),
    start,
  );

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

describe('recipient state merge', () => {
  it('moves along pending < cancelled < unknown < accepted < sent < failed < delivered < read, never back', () => {
    expect(mergeState('pending', 'accepted', 'send-result')).toBe('accepted');
    expect(mergeState('accepted', 'sent', 'webhook')).toBe('sent');
    expect(mergeState('sent', 'delivered', 'webhook')).toBe('delivered');
    expect(mergeState('delivered', 'read', 'webhook')).toBe('read');
    expect(mergeState('read', 'delivered', 'webhook')).toBe('read');
    expect(mergeState('delivered', 'sent', 'webhook')).toBe('delivered');
    expect(mergeState('sent', 'accepted', 'send-result')).toBe('sent');
    expect(mergeState('unknown', 'sent', 'webhook')).toBe('sent');
    expect(mergeState('accepted', 'unknown', 'send-result')).toBe('accepted');
  });

  it('records a failed webhook over sent, but a failed after delivered does not regress', () => {
    expect(mergeState('sent', 'failed', 'webhook')).toBe('failed');
    expect(mergeState('accepted', 'failed', 'webhook')).toBe('failed');
    expect(mergeState('delivered', 'failed', 'webhook')).toBe('delivered');
    expect(mergeState('read', 'failed', 'webhook')).toBe('read');
    // a late `sent` does not resurrect a failed message; a delivery receipt proves delivery
    expect(mergeState('failed', 'sent', 'webhook')).toBe('failed');
    expect(mergeState('failed', 'delivered', 'webhook')).toBe('delivered');
  });

  it('applies a synchronous failure only to a recipient Meta never took', () => {
    expect(mergeState('pending', 'failed', 'send-result')).toBe('failed');
    expect(mergeState('unknown', 'failed', 'send-result')).toBe('failed');
    expect(mergeState('accepted', 'failed', 'send-result')).toBe('accepted');
    expect(mergeState('sent', 'failed', 'send-result')).toBe('sent');
    expect(mergeState('delivered', 'failed', 'send-result')).toBe('delivered');
  });

  it('skips only pending rows, and a skipped row stays skipped', () => {
    expect(mergeState(undefined, 'skipped', 'split')).toBe('skipped');
    expect(mergeState('pending', 'skipped', 'split')).toBe('skipped');
    expect(mergeState('accepted', 'skipped', 'split')).toBe('accepted');
    for (const state of RECIPIENT_STATES)
      expect(mergeState('skipped', state, 'webhook')).toBe('skipped');
  });

  it('cancels only a pending recipient; any sign that the message went wins over cancelled', () => {
    expect(mergeState(undefined, 'cancelled', 'send-result')).toBe('cancelled');
    expect(mergeState('pending', 'cancelled', 'send-result')).toBe('cancelled');
    // an unknown call may have reached Meta: a later cancel result does not hide that
    expect(mergeState('unknown', 'cancelled', 'send-result')).toBe('unknown');
    for (const state of ['accepted', 'sent', 'failed', 'delivered', 'read', 'skipped'] as const)
      expect(mergeState(state, 'cancelled', 'send-result')).toBe(state);
    // the message did go (or Meta answered about it): the fact wins over the cancel
    expect(mergeState('cancelled', 'accepted', 'send-result')).toBe('accepted');
    expect(mergeState('cancelled', 'unknown', 'send-result')).toBe('unknown');
    expect(mergeState('cancelled', 'sent', 'webhook')).toBe('sent');
    expect(mergeState('cancelled', 'delivered', 'webhook')).toBe('delivered');
    expect(mergeState('cancelled', 'read', 'webhook')).toBe('read');
    expect(mergeState('cancelled', 'failed', 'webhook')).toBe('failed');
    expect(mergeState('cancelled', 'failed', 'send-result')).toBe('failed');
    expect(mergeState('cancelled', 'skipped', 'split')).toBe('skipped');
    expect(mergeState('cancelled', 'pending', 'split')).toBe('cancelled');
  });

  it('is idempotent: applying a fact twice is applying it once', () => {
    const sources: FactSource[] = ['send-result', 'webhook', 'split'];
    for (const current of RECIPIENT_STATES) {
      for (const incoming of RECIPIENT_STATES) {
        for (const source of sources) {
          const once = mergeState(current, incoming, source);
          expect(mergeState(once, incoming, source)).toBe(once);
        }
      }
    }
  });

  it('gives the same state whatever order the webhooks and the result arrive in', () => {
    const scenarios: [RecipientState, FactSource][][] = [
      [
        ['accepted', 'send-result'],
        ['sent', 'webhook'],
        ['delivered', 'webhook'],
        ['read', 'webhook'],
      ],
      [
        ['accepted', 'send-result'],
        ['sent', 'webhook'],
        ['failed', 'webhook'],
      ],
      [
        ['unknown', 'send-result'],
        ['sent', 'webhook'],
        ['failed', 'webhook'],
        ['delivered', 'webhook'],
      ],
      [
        ['accepted', 'send-result'],
        ['delivered', 'webhook'],
        ['delivered', 'webhook'],
        ['sent', 'webhook'],
      ],
      [
        ['cancelled', 'send-result'],
        ['accepted', 'send-result'],
        ['delivered', 'webhook'],
      ],
      [
        ['cancelled', 'send-result'],
        ['unknown', 'send-result'],
        ['sent', 'webhook'],
      ],
    ];
    for (const facts of scenarios) {
      const expected = fold(facts);
      for (const order of permutations(facts)) expect(fold(order)).toBe(expected);
    }
  });

  it('counts every state but pending as terminal', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(
      ['accepted', 'cancelled', 'delivered', 'failed', 'read', 'sent', 'skipped', 'unknown'].sort(),
    );
  });
});
