/**
 * Collects single calls into one batch: flushed when `maxItems` are waiting or `maxDelayMs` after
 * the first one, whichever comes first. One round trip then serves hundreds of concurrent sends
 * (the attempt record at 1,000+ msg/s costs a few statements per second, not thousands).
 * `run` answers every item in order; if it throws, every caller of that batch gets the error.
 */
export class MicroBatcher<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 500,
    private readonly maxDelayMs = 5,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.run(batch.map((p) => p.item)).then(
      (outputs) => batch.forEach((p, i) => p.resolve(outputs[i] as O)),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
