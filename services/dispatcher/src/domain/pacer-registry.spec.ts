import { groupShare } from './group-share.js';
import { PacerRegistry } from './pacer-registry.js';

describe('groupShare (partition-share split of a sender quota)', () => {
  it('is 1 for a lone member', () => {
    expect(groupShare([{ memberId: 'a', partitions: 24 }], 'a')).toBe(1);
  });

  it('is quota / members when partitions are evenly assigned', () => {
    const members = [
      { memberId: 'a', partitions: 12 },
      { memberId: 'b', partitions: 12 },
    ];
    expect(groupShare(members, 'a')).toBe(0.5);
    expect(groupShare(members, 'b')).toBe(0.5);
  });

  it('follows uneven assignments, and the shares of all members add up to 1', () => {
    const members = [
      { memberId: 'a', partitions: 9 },
      { memberId: 'b', partitions: 8 },
      { memberId: 'c', partitions: 7 },
    ];
    const shares = members.map((m) => groupShare(members, m.memberId) as number);
    expect(shares).toEqual([9 / 24, 8 / 24, 7 / 24]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('does not tell while the assignment is unknown or this member is missing', () => {
    expect(groupShare([], 'a')).toBeUndefined();
    expect(groupShare([{ memberId: 'a', partitions: 0 }], 'a')).toBeUndefined();
    expect(groupShare([{ memberId: 'b', partitions: 24 }], 'a')).toBeUndefined();
    expect(groupShare([{ memberId: 'b', partitions: 24 }], undefined)).toBeUndefined();
  });

  it('gives an idle member (no partitions) an even share rather than zero', () => {
    const members = [
      { memberId: 'a', partitions: 24 },
      { memberId: 'b', partitions: 0 },
    ];
    expect(groupShare(members, 'b')).toBe(0.5);
    expect(groupShare(members, 'a')).toBe(1);
  });
});

describe('PacerRegistry.setShare', () => {
  const quotas = new Map([
    ['s1', 1000],
    ['s2', 80],
  ]);
  const quotaFor = (id: string) => quotas.get(id) ?? 80;

  it('splits every sender quota across replicas: two replicas together stay within it', () => {
    const replicas = [new PacerRegistry(quotaFor, () => 0), new PacerRegistry(quotaFor, () => 0)];
    for (const r of replicas) {
      r.for('s1');
      r.setShare(0.5);
    }
    const total = (id: string) => replicas.reduce((sum, r) => sum + r.for(id).limit, 0);
    expect(total('s1')).toBe(1000);
    // A sender first seen after the split starts at its share too.
    expect(total('s2')).toBe(80);
  });

  it('gives the full quota back when the other replica leaves', () => {
    const registry = new PacerRegistry(quotaFor, () => 0);
    registry.setShare(0.5);
    expect(registry.for('s1').limit).toBe(500);
    registry.setShare(1);
    expect(registry.for('s1').limit).toBe(1000);
    expect(registry.for('s1').currentRate()).toBe(1000);
  });

  it('ignores shares outside (0, 1]', () => {
    const registry = new PacerRegistry(quotaFor, () => 0);
    registry.setShare(0);
    registry.setShare(2);
    registry.setShare(Number.NaN);
    expect(registry.currentShare()).toBe(1);
  });
});
