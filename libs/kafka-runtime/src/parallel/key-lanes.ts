/**
 * Runs tasks with at most `maxInFlight` at a time overall and at most one at a time per key, each
 * key's tasks in submission order. This is what keeps one recipient's messages ordered (and Meta's
 * per-recipient pair limit respected) while thousands of other recipients are in flight.
 *
 * Pure scheduling, no I/O: a task is a function returning a promise. A task that rejects is
 * reported through `onError` and counts as finished for scheduling; retry policy belongs to the
 * task itself.
 */
export interface LaneTask {
  key: string;
  run: () => Promise<void>;
  /** Free-form grouping used by discardQueued (e.g. the message's topic-partition). */
  partitionKey?: string;
  /** Called when the task is removed without running. */
  onDiscard?: () => void;
}

export class KeyLanes {
  private readonly lanes = new Map<string, LaneTask[]>();
  /** Keys whose head task may start now (their previous task finished), in FIFO order. */
  private readonly ready: string[] = [];
  private readyHead = 0;
  private running = 0;
  /** Keys whose head task is running; guards against a key listed twice in `ready`. */
  private readonly runningKeys = new Set<string>();
  private queued = 0;
  private drainWaiters: (() => void)[] = [];
  private accepting = true;

  constructor(
    private maxInFlight: number,
    private readonly onError: (error: unknown, task: LaneTask) => void = () => undefined,
  ) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
      throw new Error('maxInFlight must be a positive integer');
  }

  /** Queues a task behind any earlier task of the same key. */
  submit(task: LaneTask): void {
    const lane = this.lanes.get(task.key);
    this.queued++;
    if (lane) {
      lane.push(task);
      return;
    }
    this.lanes.set(task.key, [task]);
    this.ready.push(task.key);
    this.pump();
  }

  /** Tasks started and not yet finished. */
  inFlight(): number {
    return this.running;
  }

  /** Tasks submitted and not yet started. */
  waiting(): number {
    return this.queued;
  }

  /** Changes the concurrency limit (e.g. from an adaptive controller). */
  setMaxInFlight(value: number): void {
    this.maxInFlight = Math.max(1, Math.floor(value));
    this.pump();
  }

  /**
   * Removes queued (not started) tasks for which `drop` is true, e.g. those of partitions that a
   * rebalance took away. Running tasks are never touched. Returns how many were removed.
   */
  discardQueued(drop: (task: LaneTask) => boolean): number {
    let removed = 0;
    for (const [key, lane] of this.lanes) {
      const firstQueued = this.runningKeys.has(key) ? 1 : 0;
      const kept = lane.slice(0, firstQueued);
      for (const task of lane.slice(firstQueued)) {
        if (drop(task)) {
          removed++;
          task.onDiscard?.();
        } else kept.push(task);
      }
      if (kept.length === 0) this.lanes.delete(key);
      else if (kept.length !== lane.length) this.lanes.set(key, kept);
      // A key whose head changed but is not running is still listed in `ready` (or is re-listed).
      if (kept.length > 0 && firstQueued === 0 && kept[0] !== lane[0]) this.ready.push(key);
    }
    this.queued -= removed;
    this.pump();
    return removed;
  }

  /**
   * Stops starting queued tasks and resolves when every running task has finished. Queued tasks
   * are dropped and returned: their messages are not committed, so they are consumed again later.
   */
  async stop(): Promise<LaneTask[]> {
    this.accepting = false;
    const dropped: LaneTask[] = [];
    for (const [key, lane] of this.lanes) {
      // The head of a lane whose key is running is that running task; the rest never started.
      dropped.push(...lane.slice(this.runningKeys.has(key) ? 1 : 0));
    }
    if (this.running > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    return dropped;
  }

  private pump(): void {
    while (
      this.accepting &&
      this.running < this.maxInFlight &&
      this.readyHead < this.ready.length
    ) {
      const key = this.ready[this.readyHead++] as string;
      const task = this.lanes.get(key)?.[0];
      if (!task || this.runningKeys.has(key)) continue;
      this.start(task);
    }
    if (this.readyHead > 4096 && this.readyHead * 2 > this.ready.length) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
  }

  private start(task: LaneTask): void {
    this.running++;
    this.queued--;
    this.runningKeys.add(task.key);
    let promise: Promise<void>;
    try {
      promise = task.run();
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    promise.catch((error: unknown) => this.onError(error, task)).finally(() => this.finish(task));
  }

  private finish(task: LaneTask): void {
    this.running--;
    this.runningKeys.delete(task.key);
    const lane = this.lanes.get(task.key);
    lane?.shift();
    if (lane && lane.length > 0) this.ready.push(task.key);
    else this.lanes.delete(task.key);
    if (this.accepting) this.pump();
    if (this.running === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
