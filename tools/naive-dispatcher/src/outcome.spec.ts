import { outcomeOf } from './outcome.js';

describe('outcomeOf', () => {
  it('is accepted with the wamid of a success answer', () => {
    const body = JSON.stringify({ messages: [{ id: 'wamid.X', message_status: 'accepted' }] });
    expect(outcomeOf(200, body)).toEqual({ status: 'accepted', wamid: 'wamid.X' });
  });

  it('is failed with the Graph error code otherwise', () => {
    const body = JSON.stringify({ error: { code: 130429, message: '(#130429) Rate limit hit' } });
    expect(outcomeOf(400, body)).toMatchObject({
      status: 'failed',
      error: { code: 130429, title: '(#130429) Rate limit hit', httpStatus: 400 },
    });
    expect(outcomeOf(502, 'bad gateway')).toMatchObject({
      status: 'failed',
      error: { code: 131000, title: 'HTTP 502' },
    });
  });
});
