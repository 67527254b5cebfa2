import { keywordAction, normaliseKeyword, parseOptOuts, waIdToE164 } from './opt-out.js';

/** Meta webhook bodies as the reference gives them (§4.4 inbound messages, §4.5 user_preferences). */
function webhook(field: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '419561257915477',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const text = (body: string, from = '16505551234') =>
  webhook('messages', {
    messages: [{ from, id: 'wamid.IN1', timestamp: '1749416383', type: 'text', text: { body } }],
  });

describe('opt-out keywords', () => {
  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop!  ', 'stop'],
    ['STOPP', 'stop'],
    ['Unsubscribe.', 'stop'],
    ['Arrêt', 'stop'],
    ['ARRET', 'stop'],
    ['opt-out', 'stop'],
    ['Stop promotions', 'stop'],
    ['START', 'resume'],
    ['unstop', 'resume'],
  ] as const)('%j means %s', (input, action) => {
    expect(keywordAction(input)).toBe(action);
  });

  it.each(['stop the order please', 'please stop', 'stopped', 'STOP'.repeat(20), '', 'ok'])(
    '%j is not an opt-out',
    (input) => {
      expect(keywordAction(input)).toBeUndefined();
    },
  );

  it('normalises case, accents and punctuation', () => {
    expect(normaliseKeyword('  Désinscrire!! ')).toBe('DESINSCRIRE');
  });

  it('turns wa_ids into E.164 and refuses what is not a number', () => {
    expect(waIdToE164('16505551234')).toBe('+16505551234');
    expect(waIdToE164('+4915123456789')).toBe('+4915123456789');
    expect(waIdToE164('0123')).toBeUndefined();
    expect(waIdToE164('abc')).toBeUndefined();
    expect(waIdToE164(undefined)).toBeUndefined();
  });
});

describe('parseOptOuts', () => {
  it('reads a text STOP reply with the business number, message id and time', () => {
    expect(parseOptOuts(text(' stop '))).toEqual([
      {
        action: 'stop',
        reason: 'stop-reply',
        phone: '+16505551234',
        phoneNumberId: '106540352242922',
        messageId: 'wamid.IN1',
        detail: 'text reply "stop"',
        at: new Date(1749416383 * 1000),
      },
    ]);
  });

  it('reads START as a resume of the STOP reply', () => {
    expect(parseOptOuts(text('Start'))).toMatchObject([
      { action: 'resume', reason: 'stop-reply', phone: '+16505551234' },
    ]);
  });

  it('ignores ordinary replies, statuses and malformed bodies', () => {
    expect(parseOptOuts(text('Thanks, when does my order arrive?'))).toEqual([]);
    expect(
      parseOptOuts(
        webhook('messages', {
          statuses: [{ id: 'wamid.X', status: 'delivered', timestamp: '1', recipient_id: '1' }],
        }),
      ),
    ).toEqual([]);
    expect(parseOptOuts(text('STOP', 'not-a-number'))).toEqual([]);
    expect(parseOptOuts(null)).toEqual([]);
    expect(parseOptOuts({ entry: 'x' })).toEqual([]);
    expect(parseOptOuts({ entry: [{ changes: [{ value: { messages: [42, null] } }] }] })).toEqual(
      [],
    );
  });

  it('reads quick-reply button taps by payload or by button text', () => {
    const button = (payload: string, label: string) =>
      webhook('messages', {
        messages: [
          {
            context: { from: '15550783881', id: 'wamid.ORIGINAL' },
            from: '4915123456789',
            id: 'wamid.BTN',
            timestamp: '1750091045',
            type: 'button',
            button: { payload, text: label },
          },
        ],
      });
    expect(parseOptOuts(button('Unsubscribe', 'Unsubscribe'))).toMatchObject([
      { action: 'stop', reason: 'stop-reply', phone: '+4915123456789', messageId: 'wamid.BTN' },
    ]);
    expect(parseOptOuts(button('opt_out_marketing_123', 'Stop promotions'))).toMatchObject([
      { action: 'stop', phone: '+4915123456789' },
    ]);
    expect(parseOptOuts(button('yes', 'Yes please'))).toEqual([]);
  });

  it('reads interactive button replies', () => {
    const body = webhook('messages', {
      messages: [
        {
          from: '16505551234',
          id: 'wamid.INT',
          timestamp: '1750091045',
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: 'STOP', title: 'Opt out' } },
        },
      ],
    });
    expect(parseOptOuts(body)).toMatchObject([{ action: 'stop', messageId: 'wamid.INT' }]);
  });

  it('reads user_preferences stop and resume (integer timestamps)', () => {
    const prefs = (value: string) =>
      webhook('user_preferences', {
        user_preferences: [
          {
            wa_id: '16505551234',
            detail: 'User requested to stop marketing messages',
            category: 'marketing_messages',
            value,
            timestamp: 1731705721,
          },
        ],
      });
    expect(parseOptOuts(prefs('stop'))).toEqual([
      {
        action: 'stop',
        reason: 'user-preferences',
        phone: '+16505551234',
        phoneNumberId: '106540352242922',
        detail: 'User requested to stop marketing messages',
        at: new Date(1731705721 * 1000),
      },
    ]);
    expect(parseOptOuts(prefs('resume'))).toMatchObject([
      { action: 'resume', reason: 'user-preferences' },
    ]);
    expect(parseOptOuts(prefs('signup'))).toEqual([]);
  });
});
