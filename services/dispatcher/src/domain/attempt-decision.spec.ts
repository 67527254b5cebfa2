import { decideAttempt } from './attempt-decision.js';

describe('decideAttempt', () => {
  it('sends when the claim is ours', () => {
    expect(decideAttempt({ kind: 'claimed', claims: 1 })).toEqual({ kind: 'send' });
  });

  it.each(['accepted', 'failed', 'unknown'] as const)(
    're-publishes a recorded %s outcome',
    (state) => {
      const outcome =
        state === 'accepted'
          ? { status: 'accepted' as const, wamid: 'wamid.1' }
          : state === 'unknown'
            ? { status: 'unknown' as const, reason: 'timeout' }
            : {
                status: 'failed' as const,
                error: { code: 131026, title: 'undeliverable' },
                category: 'permanent' as const,
                retryable: false,
              };
      expect(decideAttempt({ kind: 'taken', state, outcome })).toEqual({
        kind: 'republish',
        outcome,
      });
    },
  );

  it.each(['sending', 'released'] as const)(
    'never calls again when the record says %s',
    (state) => {
      expect(decideAttempt({ kind: 'taken', state })).toMatchObject({ kind: 'interrupted' });
    },
  );

  it('treats a final state without its outcome as interrupted (never resend)', () => {
    expect(decideAttempt({ kind: 'taken', state: 'accepted' })).toMatchObject({
      kind: 'interrupted',
    });
  });
});
