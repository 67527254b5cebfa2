import { withControl, type BroadcastSummary } from './progress.service.js';
import { emptyCounts } from './domain/recipient-state.js';

const summary = (over: Partial<BroadcastSummary> = {}): BroadcastSummary => ({
  id: 'b1',
  tenantId: 't',
  name: null,
  state: 'sending',
  template: null,
  phoneNumberId: null,
  createdAt: new Date(0).toISOString(),
  complete: false,
  counts: emptyCounts(),
  ...over,
});
const at = new Date(Date.UTC(2026, 0, 1));

describe('withControl', () => {
  it('shows paused and cancelled while the broadcast is not over', () => {
    expect(withControl(summary(), { control: 'paused', occurredAt: at }).state).toBe('paused');
    expect(
      withControl(summary({ state: 'splitting' }), { control: 'cancelled', occurredAt: at }).state,
    ).toBe('cancelled');
  });
  it('shows the computed state after a resume, and for a finished broadcast', () => {
    expect(withControl(summary(), { control: 'running', occurredAt: at }).state).toBe('sending');
    const done = withControl(summary({ state: 'completed', complete: true }), {
      control: 'paused',
      reason: 'late',
      occurredAt: at,
    });
    expect(done.state).toBe('completed');
    expect(done.control).toEqual({ state: 'paused', reason: 'late', at: at.toISOString() });
  });
  it('changes nothing without a control', () => {
    expect(withControl(summary(), undefined)).toEqual(summary());
  });
});
