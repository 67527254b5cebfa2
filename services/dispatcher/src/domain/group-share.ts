/**
 * This replica's share of a sender's quota, from its consumer group's assignment (partition-share
 * split; the mechanism and why are in the note at the top of `pacer.ts`).
 *
 * `send-requests` is keyed by recipient, so each partition carries about the same slice of every
 * sender's traffic: a replica owning k of the n assigned partitions gets k/n of the quota. All
 * replicas compute from the same group description, so their shares add up to 1. With equal
 * partition counts this is quota / members; a member with no partition (more replicas than
 * partitions) takes nothing and leaves its part to the others.
 */
export interface GroupMemberPartitions {
  memberId: string;
  /** Partitions of the send-requests topic assigned to this member. */
  partitions: number;
}

/**
 * Returns the share in (0, 1], or undefined when the description does not tell (no assignment yet,
 * or this member is not in it: a rebalance is running; keep the previous share until it settles).
 */
export function groupShare(
  members: readonly GroupMemberPartitions[],
  memberId: string | undefined,
): number | undefined {
  const total = members.reduce((sum, m) => sum + m.partitions, 0);
  if (total === 0) return undefined;
  const mine = members.find((m) => m.memberId === memberId);
  if (!mine) return undefined;
  // A member without partitions has no traffic; give it an even share so that a sender it might
  // meet right after the next rebalance is not paced at zero.
  if (mine.partitions === 0) return 1 / members.length;
  return mine.partitions / total;
}
