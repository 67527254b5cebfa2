import { AssignerProtocol, type Admin, type Consumer, type Kafka } from 'kafkajs';
import { groupShare, type GroupMemberPartitions } from '../domain/group-share.js';

export interface GroupSizeOptions {
  groupId: string;
  /** The send-requests topic: the partitions whose share is this replica's share of each quota. */
  topic: string;
  onShare: (share: number, members: number) => void;
  intervalMs?: number;
  log?: (level: 'info' | 'warn', msg: string, fields?: object) => void;
}

/**
 * Learns this replica's share of its consumer group (kafkajs `admin.describeGroups`) every
 * `intervalMs` (5 s) and right after every GROUP_JOIN, and reports it through `onShare`. The
 * partition-share split it feeds is described at the top of domain/pacer.ts.
 */
export class KafkaGroupSize {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private memberId: string | undefined;
  private refreshing: Promise<void> | undefined;
  private lastShare: number | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: GroupSizeOptions,
  ) {}

  /** Call before `consumer.run` so the first GROUP_JOIN is seen. */
  async start(consumer: Consumer): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.memberId = event.payload.memberId;
      void this.refresh();
    });
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  /** One describeGroups; concurrent calls share it. Never throws (a failed look-up keeps the share). */
  refresh(): Promise<void> {
    this.refreshing ??= this.describe().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async describe(): Promise<void> {
    const admin = this.admin;
    if (!admin || !this.memberId) return;
    try {
      const { groups } = await admin.describeGroups([this.options.groupId]);
      const group = groups.find((g) => g.groupId === this.options.groupId);
      // During a rebalance the assignments are stale or empty: wait for the next GROUP_JOIN.
      if (!group || group.state !== 'Stable') return;
      const members: GroupMemberPartitions[] = group.members.map((m) => ({
        memberId: m.memberId,
        partitions: this.partitionsOf(m.memberAssignment),
      }));
      const share = groupShare(members, this.memberId);
      if (share === undefined || share === this.lastShare) return;
      this.lastShare = share;
      this.options.log?.('info', 'sender quota share changed', {
        share: Number(share.toFixed(4)),
        members: members.length,
      });
      this.options.onShare(share, members.length);
    } catch (error) {
      this.options.log?.('warn', 'describeGroups failed; keeping the current quota share', {
        error: String(error),
      });
    }
  }

  private partitionsOf(assignment: Buffer): number {
    if (assignment.length === 0) return 0;
    const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
    return decoded?.assignment[this.options.topic]?.length ?? 0;
  }
}
