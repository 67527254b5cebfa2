import { SenderPacer } from './pacer.js';

/**
 * One adaptive pacer per sender phone-number id, created on first use. Each pacer's ceiling is the
 * sender's quota times this replica's share of the consumer group (`setShare`, see pacer.ts).
 */
export class PacerRegistry {
  private readonly pacers = new Map<string, SenderPacer>();
  private share = 1;

  constructor(
    private readonly quotaFor: (phoneNumberId: string) => number,
    private readonly now: () => number = Date.now,
  ) {}

  for(phoneNumberId: string): SenderPacer {
    let pacer = this.pacers.get(phoneNumberId);
    if (!pacer) {
      pacer = new SenderPacer({ limitPerSecond: this.limitFor(phoneNumberId) }, this.now());
      this.pacers.set(phoneNumberId, pacer);
    }
    return pacer;
  }

  /** This replica's share of every sender's quota, in (0, 1]; re-limits every existing pacer. */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1) || share === this.share) return;
    this.share = share;
    const now = this.now();
    for (const [id, pacer] of this.pacers) pacer.setLimit(this.limitFor(id), now);
  }

  currentShare(): number {
    return this.share;
  }

  entries(): [string, SenderPacer][] {
    return [...this.pacers];
  }

  private limitFor(phoneNumberId: string): number {
    return this.quotaFor(phoneNumberId) * this.share;
  }
}
