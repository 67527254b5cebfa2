/**
 * Tracks one partition's offsets between "fetched" and "committed", and answers the only question
 * a commit may ask: up to where is *every* message finished?
 *
 * Offsets are registered in fetch order (ascending within a partition) and may complete in any
 * order. The committable offset is one past the highest offset below which nothing is unfinished
 * (the low watermark). Committing anything higher could lose unfinished work on a crash, because
 * Kafka resumes a group from its committed offset; committing lower only means replay, which the
 * handlers tolerate (at-least-once).
 */
export class OffsetTracker {
  /** Registered, not yet released offsets in ascending order, with their completion flag. */
  private readonly offsets: bigint[] = [];
  private readonly done: boolean[] = [];
  private head = 0;
  /** One past the last offset released by the watermark; undefined until something completes. */
  private committable: bigint | undefined;
  private lastRegistered: bigint | undefined;

  /** Registers a fetched offset. Offsets must arrive in ascending order; repeats are refused. */
  register(offset: bigint): void {
    if (this.lastRegistered !== undefined && offset <= this.lastRegistered) {
      throw new Error(
        `offset ${offset} registered after ${this.lastRegistered}: offsets must ascend`,
      );
    }
    this.lastRegistered = offset;
    this.offsets.push(offset);
    this.done.push(false);
  }

  /** Whether `offset` is registered and not yet released by the watermark. */
  isPending(offset: bigint): boolean {
    return this.indexOf(offset) !== -1;
  }

  /** Marks `offset` finished and advances the watermark over every finished offset at the head. */
  complete(offset: bigint): void {
    const index = this.indexOf(offset);
    if (index === -1) throw new Error(`offset ${offset} is not pending`);
    this.done[index] = true;
    while (this.head < this.offsets.length && this.done[this.head] === true) {
      this.committable = (this.offsets[this.head] as bigint) + 1n;
      this.head++;
    }
    // Compact now and then so memory stays proportional to what is outstanding.
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.done.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (next offset to consume), or undefined when nothing has been released. */
  committableOffset(): bigint | undefined {
    return this.committable;
  }

  /** Number of registered offsets not yet released (in flight, queued, or finished above a gap). */
  outstanding(): number {
    return this.offsets.length - this.head;
  }

  private indexOf(offset: bigint): number {
    // Binary search over the live window [head, length): offsets are ascending.
    let low = this.head;
    let high = this.offsets.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.offsets[mid] as bigint;
      if (value === offset) return mid;
      if (value < offset) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}
