import { formatCallbackData, parseCallbackData, parseRecipientId, recipientId } from './ids.js';

describe('recipient ids and callback data', () => {
  it('round-trips', () => {
    expect(recipientId('b-1', 42)).toBe('b-1:42');
    expect(parseRecipientId('b-1:42')).toEqual({ broadcastId: 'b-1', rowNumber: 42 });
    expect(formatCallbackData('b-1', 42)).toBe('wab1:b-1:42');
    expect(parseCallbackData('wab1:b-1:42')).toEqual({ broadcastId: 'b-1', rowNumber: 42 });
  });

  it('ignores data that is not ours', () => {
    expect(parseCallbackData('campaign42:row981')).toBeUndefined();
    expect(parseCallbackData(undefined)).toBeUndefined();
    expect(parseRecipientId('b-1:0')).toBeUndefined();
    expect(parseRecipientId('b:1:2')).toBeUndefined();
  });
});
