import { BroadcastControls } from './broadcast-controls.js';

const broadcast = (broadcastId: string) => ({ kind: 'broadcast' as const, broadcastId });

describe('BroadcastControls', () => {
  it('pauses and resumes a broadcast; the newest event wins', () => {
    const controls = new BroadcastControls();
    expect(controls.stateOf('b1', 's1').state).toBe('active');
    controls.apply({ action: 'pause', target: broadcast('b1'), reason: 'check the list' });
    expect(controls.stateOf('b1', 's1')).toEqual({ state: 'paused', reason: 'check the list' });
    expect(controls.stateOf('b2', 's1').state).toBe('active');
    controls.apply({ action: 'resume', target: broadcast('b1'), reason: 'ok' });
    expect(controls.stateOf('b1', 's1').state).toBe('active');
  });

  it('makes cancel final', () => {
    const controls = new BroadcastControls();
    controls.apply({ action: 'cancel', target: broadcast('b1'), reason: 'wrong template' });
    controls.apply({ action: 'resume', target: broadcast('b1'), reason: 'oops' });
    expect(controls.stateOf('b1', 's1').state).toBe('cancelled');
  });

  it('holds every broadcast of a paused sender', () => {
    const controls = new BroadcastControls();
    controls.apply({
      action: 'pause',
      target: { kind: 'sender', phoneNumberId: 's1' },
      reason: 'token expired',
    });
    expect(controls.stateOf('b1', 's1').state).toBe('paused');
    expect(controls.stateOf('b1', 's2').state).toBe('active');
  });
});
