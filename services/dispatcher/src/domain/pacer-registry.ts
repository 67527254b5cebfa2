import { SenderPacer } from './pacer.js';

/** One adaptive pacer per sender phone-number id, created on first use with the sender's limit. */
export class PacerRegistry {
  private readonly pacers = new Map<string, SenderPacer>();

  constructor(
    private readonly limitFor: (phoneNumberId: string) => number,
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

  entries(): [string, SenderPacer][] {
    return [...this.pacers];
  }
}
