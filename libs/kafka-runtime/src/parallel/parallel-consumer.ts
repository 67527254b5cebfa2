/**
 * ParallelConsumer: many messages in flight *inside* each partition, with per-key ordering and
 * commits that never pass unfinished work.
 *
 * Why: kafkajs `eachMessage` (and NestJS's Kafka transport on top of it) handles one message at a
 * time per partition, and its fetch loop waits for every batch of the previous fetch. With Cloud API
 * calls of 0.2–2 s and a quota of up to 1,000 messages/s per sender, Little's law asks for up to
 * ~2,000 calls in flight: partition-level concurrency cannot give that.
 *
 * Protocol (the Parallel Consumer idea, kafka-notes §3):
 * 1. `eachBatch` only *hands over* messages: each offset is registered with its partition's
 *    OffsetTracker, the task is queued on its key's lane (KeyLanes: one in flight per key, FIFO per
 *    key, `maxInFlight` overall), and the offset is `resolveOffset`-ed so the fetch position moves
 *    on. Nothing awaits the handlers there, so the fetch loop (and its heartbeats) keep running.
 * 2. `autoCommit` is off. A timer commits, per partition, the OffsetTracker's low watermark: one
 *    past the highest offset below which every message has finished. A crash therefore replays at
 *    most the window; it never skips an unfinished message.
 * 3. Back-pressure: when more than `maxOutstanding` messages are registered and unreleased, the
 *    partitions that delivered them are paused (not the event loop); they resume below half of it.
 *    A batch is always registered whole (never left half-resolved), so memory is bounded by
 *    maxOutstanding plus one fetch: keep `maxBytesPerPartition` small on such consumers.
 * 4. Rebalance (GROUP_JOIN): kafkajs re-fetches assigned partitions from their committed offsets.
 *    Trackers are rebuilt; a re-delivered message that is still running in this process waits for
 *    that run instead of starting a second one, and one that finished here since the last commit
 *    is not run again. Across processes, duplicates are the handler's problem (idempotency).
 * 5. Shutdown: partitions are paused, queued tasks dropped (not committed, so re-consumed later),
 *    running tasks drained up to a deadline, the watermark committed, then the consumer leaves.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { withConsumerSpan } from '@wab/service-runtime';
import { KeyLanes } from './key-lanes.js';
import { OffsetTracker } from './offset-tracker.js';

export interface ParallelMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface ParallelConsumerOptions {
  consumer: Consumer;
  topics: string[];
  /** Handles one message. Must settle; a rejection is logged and the message counts as done. */
  handle: (item: ParallelMessage) => Promise<void>;
  /** Ordering key; messages with the same key never run concurrently. Default: the message key. */
  keyOf?: (item: ParallelMessage) => string;
  /** Handlers running at once, over all partitions. */
  maxInFlight: number;
  /** Registered-but-unreleased messages above which partitions are paused. Default 1.25 × maxInFlight. */
  maxOutstanding?: number;
  commitIntervalMs?: number;
  /** How long shutdown waits for running handlers. */
  drainTimeoutMs?: number;
  onError?: (error: unknown, item: ParallelMessage) => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: object) => void;
}

interface PartitionState {
  topic: string;
  partition: number;
  tracker: OffsetTracker;
  lastCommitted: bigint | undefined;
  paused: boolean;
}

const partitionId = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class ParallelConsumer {
  private readonly lanes: KeyLanes;
  private readonly partitions = new Map<string, PartitionState>();
  /** Runs still going in this process, by topic/partition/offset: survives rebalances. */
  private readonly running = new Map<string, Promise<void>>();
  /** Offsets finished in this process but maybe not committed yet (cleared as commits pass them). */
  private readonly finishedUncommitted = new Map<string, Set<bigint>>();
  private readonly maxOutstanding: number;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;
  private outstandingTotal = 0;

  constructor(private readonly options: ParallelConsumerOptions) {
    // A quarter more than can run: enough queued to refill lanes as calls finish, no more, because
    // every queued message is memory.
    this.maxOutstanding = options.maxOutstanding ?? Math.ceil(options.maxInFlight * 1.25);
    this.lanes = new KeyLanes(options.maxInFlight, (error) =>
      this.log('error', 'handler failed', { error: String(error) }),
    );
  }

  async start(): Promise<void> {
    const { consumer } = this.options;
    consumer.on(consumer.events.GROUP_JOIN, (event) =>
      this.onRebalance(event.payload.memberAssignment),
    );
    for (const topic of this.options.topics)
      await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs ?? 500);
  }

  /** Messages handed over and not yet released by a watermark, across partitions. */
  outstanding(): number {
    return this.outstandingTotal;
  }

  inFlight(): number {
    return this.lanes.inFlight();
  }

  /** Graceful stop: see step 5 of the protocol. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.commitTimer) clearInterval(this.commitTimer);
    const { consumer } = this.options;
    const all = [...this.partitions.values()];
    if (all.length > 0) consumer.pause(this.groupByTopic(all));
    const drained = this.lanes.stop();
    const timeoutMs = this.options.drainTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
    );
    const result = await Promise.race([drained.then(() => 'drained' as const), timedOut]);
    if (timer) clearTimeout(timer);
    if (result === 'timeout')
      this.log('warn', 'shutdown: handlers still running after the drain deadline', { timeoutMs });
    await this.commit();
    await consumer.disconnect();
  }

  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    const { topic, partition } = batch;
    const state = this.stateFor(topic, partition);
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopped) break;
      const offset = BigInt(message.offset);
      const runKey = `${partitionId(topic, partition)}\u0000${offset}`;
      if (state.tracker.isPending(offset)) {
        resolveOffset(message.offset);
        continue;
      }
      state.tracker.register(offset);
      this.outstandingTotal++;
      resolveOffset(message.offset);
      const item: ParallelMessage = { topic, partition, message };
      const earlier = this.running.get(runKey);
      if (earlier) {
        // Re-delivered after a rebalance while the first run is still going: wait for it.
        void earlier.then(() => this.completed(state, offset));
        continue;
      }
      if (this.finishedUncommitted.get(partitionId(topic, partition))?.has(offset)) {
        this.completed(state, offset);
        continue;
      }
      const key =
        this.options.keyOf?.(item) ?? message.key?.toString() ?? `${partition}:${message.offset}`;
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      // Registered at submission, not at start, so a re-delivery of a still-queued message after a
      // rebalance attaches to it instead of being queued twice.
      this.running.set(runKey, settled);
      void settled.then(() => {
        this.running.delete(runKey);
        this.markFinished(topic, partition, offset);
        this.completed(this.stateFor(topic, partition), offset);
      });
      this.lanes.submit({
        key,
        partitionKey: partitionId(topic, partition),
        onDiscard: () => {
          this.running.delete(runKey);
        },
        run: () =>
          // One CONSUMER span per message, continuing the trace of its headers.
          withConsumerSpan(
            `${topic} process`,
            item.message.headers,
            { 'messaging.system': 'kafka', 'messaging.destination.partition.id': partition },
            () => this.options.handle(item),
          )
            .catch((error: unknown) => {
              this.options.onError?.(error, item);
              throw error;
            })
            .finally(settle),
      });
    }
    // Window full: pause the partition (not the event loop). The whole batch is registered first,
    // so the overshoot is bounded by the fetch size (maxBytesPerPartition), which callers keep small.
    if (this.outstandingTotal >= this.maxOutstanding && !state.paused) {
      state.paused = true;
      this.options.consumer.pause([{ topic, partitions: [partition] }]);
    }
    return Promise.resolve();
  }

  private markFinished(topic: string, partition: number, offset: bigint): void {
    const id = partitionId(topic, partition);
    let set = this.finishedUncommitted.get(id);
    if (!set) this.finishedUncommitted.set(id, (set = new Set()));
    set.add(offset);
  }

  private completed(state: PartitionState, offset: bigint): void {
    // After a rebalance the state may be a fresh tracker that never registered this offset.
    if (!state.tracker.isPending(offset)) return;
    state.tracker.complete(offset);
    this.outstandingTotal--;
    if (this.outstandingTotal <= this.maxOutstanding / 2) this.resumePaused();
  }

  private resumePaused(): void {
    const paused = [...this.partitions.values()].filter((p) => p.paused);
    if (paused.length === 0 || this.stopped) return;
    for (const p of paused) p.paused = false;
    this.options.consumer.resume(this.groupByTopic(paused));
  }

  private stateFor(topic: string, partition: number): PartitionState {
    const id = partitionId(topic, partition);
    let state = this.partitions.get(id);
    if (!state) {
      state = {
        topic,
        partition,
        tracker: new OffsetTracker(),
        lastCommitted: undefined,
        paused: false,
      };
      this.partitions.set(id, state);
    }
    return state;
  }

  private onRebalance(assignment: Record<string, number[]>): void {
    // kafkajs re-fetches every assigned partition from its committed offset: start new trackers.
    // Queued work of partitions we lost is dropped (the new owner consumes it); running handlers
    // keep going (see `running`), their completions no longer move any watermark.
    const assigned = new Set(
      Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => partitionId(t, p))),
    );
    const discarded = this.lanes.discardQueued((task) => !assigned.has(task.partitionKey ?? ''));
    const wasPaused = [...this.partitions.values()].filter((p) => p.paused);
    this.partitions.clear();
    this.outstandingTotal = 0;
    if (wasPaused.length > 0 && !this.stopped)
      this.options.consumer.resume(this.groupByTopic(wasPaused));
    this.log('info', 'rebalance: partition trackers reset', {
      runningHandlers: this.lanes.inFlight(),
      discarded,
    });
  }

  /** Commits each partition's watermark if it moved. Serialised: one commit request at a time. */
  commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets: { topic: string; partition: number; offset: string }[] = [];
      const states: [PartitionState, bigint][] = [];
      for (const state of this.partitions.values()) {
        const committable = state.tracker.committableOffset();
        if (committable !== undefined && committable !== state.lastCommitted) {
          offsets.push({
            topic: state.topic,
            partition: state.partition,
            offset: committable.toString(),
          });
          states.push([state, committable]);
        }
      }
      if (offsets.length === 0) return;
      try {
        await this.options.consumer.commitOffsets(offsets);
        for (const [state, committed] of states) {
          state.lastCommitted = committed;
          const finished = this.finishedUncommitted.get(partitionId(state.topic, state.partition));
          if (finished)
            for (const offset of finished) if (offset < committed) finished.delete(offset);
        }
      } catch (error) {
        // A rebalance in progress refuses commits; the next tick (or the new owner) carries on.
        this.log('warn', 'offset commit failed; will retry', { error: String(error) });
      }
    });
    return this.committing;
  }

  private groupByTopic(states: PartitionState[]): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const s of states) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, fields: object = {}): void {
    this.options.log?.(level, msg, fields);
  }
}
