/**
 * Classification of Cloud API errors by `error.code`, never by HTTP status (Meta's own advice; the
 * throttling codes come back as HTTP 400). Source: ../shared/reference/whatsapp-cloud-api.md §2.3.
 */
export type ErrorAction =
  /** Retry with exponential backoff and jitter, up to the attempt limit. */
  | 'retry'
  /** The sender's per-number throughput was exceeded: slow the sender down (AIMD) and retry. */
  | 'throttle-sender'
  /** Pair rate limit for this recipient only: back off 4^n seconds for this recipient, retry. */
  | 'throttle-recipient'
  /** The sender is briefly unavailable (maintenance, upgrade): pause the sender, retry. */
  | 'pause-sender'
  /** Permanent for this recipient or request: never retried. */
  | 'permanent'
  /** Account-level: token, policy, spam limit, template paused. Stop burning through the list. */
  | 'account';

const ACTIONS: ReadonlyMap<number, ErrorAction> = new Map<number, ErrorAction>([
  [1, 'retry'],
  [2, 'retry'],
  [4, 'throttle-sender'],
  [80007, 'throttle-sender'],
  [130429, 'throttle-sender'],
  [131000, 'retry'],
  [131016, 'retry'],
  [131056, 'throttle-recipient'],
  [131057, 'pause-sender'],
  [0, 'account'],
  [3, 'account'],
  [10, 'account'],
  [190, 'account'],
  [368, 'account'],
  [131005, 'account'],
  [131031, 'account'],
  [131037, 'account'],
  [131042, 'account'],
  [131045, 'account'],
  [131048, 'account'],
  [131063, 'account'],
  [131064, 'account'],
  [132001, 'account'],
  [132015, 'account'],
  [132016, 'account'],
  [133010, 'account'],
]);

export function classifyError(code: number): ErrorAction {
  const known = ACTIONS.get(code);
  if (known) return known;
  if (code >= 200 && code <= 299) return 'account';
  // Everything else (100, 131008, 131009, 131026, 131047, 131050, 132000, 132005, ...) is about this
  // request or recipient: retrying the same request cannot succeed.
  return 'permanent';
}

/** The contract's category for a final failure. */
export function categoryOf(action: ErrorAction): 'transient' | 'permanent' | 'account' {
  switch (action) {
    case 'retry':
    case 'throttle-sender':
    case 'throttle-recipient':
    case 'pause-sender':
      return 'transient';
    case 'permanent':
      return 'permanent';
    case 'account':
      return 'account';
  }
}

/**
 * Delay before retry `attempt` (1-based: the delay after the first failure is attempt 1):
 * exponential from `baseMs`, capped, with full jitter so that many recipients failing at once do
 * not retry in lockstep. 131056 uses 4^n seconds as Meta suggests.
 */
export function retryDelayMs(
  action: ErrorAction,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (action === 'throttle-recipient')
    return 1000 * 4 ** Math.max(0, attempt - 1) * (0.9 + 0.2 * random());
  const base = action === 'pause-sender' ? 5_000 : 250;
  const cap = action === 'pause-sender' ? 60_000 : 30_000;
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return exp / 2 + random() * (exp / 2);
}
