import { describeTemplate, placeholders } from './templates.js';
import { TEMPLATES } from './templates.fixture.js';

const byName = (name: string, language = 'en_US') => {
  const found = TEMPLATES.find((t) => t.name === name && t.language === language);
  if (!found) throw new Error(`no fixture ${name}`);
  return describeTemplate(found);
};

describe('template parameter extraction', () => {
  it('finds placeholders once each, in order, tolerating spaces', () => {
    expect(placeholders('Hi {{1}}, {{ 2 }} and {{1}} again, {{first_name}}')).toEqual([
      '1',
      '2',
      'first_name',
    ]);
    expect(placeholders(undefined)).toEqual([]);
    expect(placeholders('no {placeholders} {{}} here')).toEqual([]);
  });

  it('positional body parameters with their approval examples', () => {
    const t = byName('order_update');
    expect(t).toMatchObject({
      name: 'order_update',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameterFormat: 'positional',
      body: 'Hi {{1}}, your order {{2}} has shipped.',
      footer: 'Reply STOP to unsubscribe',
    });
    expect(t.parameters).toEqual({
      body: [
        { position: 1, example: 'Jessica' },
        { position: 2, example: 'A-1001' },
      ],
      buttons: [],
    });
    expect(t.unsupported).toBeUndefined();
  });

  it('sorts positional placeholders numerically whatever their order in the text', () => {
    const t = describeTemplate({
      name: 'x',
      language: 'en',
      status: 'APPROVED',
      components: [
        { type: 'BODY', text: '{{10}} {{2}} {{1}} {{3}} {{4}} {{5}} {{6}} {{7}} {{8}} {{9}}' },
      ],
    });
    expect(t.parameters.body.map((p) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('named body parameters', () => {
    const t = byName('order_confirmation');
    expect(t.parameterFormat).toBe('named');
    expect(t.parameters.body).toEqual([
      { name: 'customer_name', example: 'Jessica' },
      { name: 'order_number', example: 'SKBUP2-4CPIG9' },
      { name: 'delivery_date', example: 'February 25' },
    ]);
  });

  it('a TEXT header placeholder and an optional quick-reply payload', () => {
    const t = byName('seasonal_promo');
    expect(t.header).toEqual({ format: 'TEXT', text: 'Our {{1}} sale is on!' });
    expect(t.parameters.header).toEqual({ type: 'text', example: 'Summer' });
    expect(t.parameters.body).toHaveLength(3);
    expect(t.parameters.buttons).toEqual([{ index: 0, subType: 'quick_reply', required: false }]);
  });

  it('an IMAGE header and the dynamic suffix of a URL button (button indexes count static buttons too)', () => {
    const t = byName('shipping_tracking');
    expect(t.parameters.header).toEqual({ type: 'image' });
    expect(t.buttons).toEqual([
      { index: 0, type: 'PHONE_NUMBER', text: 'Call us' },
      { index: 1, type: 'URL', text: 'Track parcel', url: 'https://shop.example.com/track/{{1}}' },
    ]);
    expect(t.parameters.buttons).toEqual([
      {
        index: 1,
        subType: 'url',
        required: true,
        url: 'https://shop.example.com/track/{{1}}',
        example: 'ZX81-4411',
      },
    ]);
  });

  it('a named TEXT header and a COPY_CODE button', () => {
    const t = byName('coupon');
    expect(t.parameters.header).toEqual({ type: 'text', name: 'first_name', example: 'Ada' });
    expect(t.parameters.body).toEqual([]);
    expect(t.parameters.buttons).toEqual([
      { index: 0, subType: 'copy_code', required: true, example: 'SAVE20' },
    ]);
  });

  it('a static URL button takes no parameter', () => {
    const t = describeTemplate({
      name: 'x',
      language: 'en',
      status: 'APPROVED',
      components: [
        { type: 'BODY', text: 'Hello' },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop', url: 'https://example.com' }] },
      ],
    });
    expect(t.parameters.buttons).toEqual([]);
  });

  it('marks what a CSV cannot fill as unsupported, saying why', () => {
    expect(byName('store_location').unsupported).toEqual([
      'its header is LOCATION, which a CSV column cannot fill',
    ]);
    const carousel = describeTemplate({
      name: 'x',
      language: 'en',
      status: 'APPROVED',
      components: [
        { type: 'BODY', text: 'Hi {{name}}' },
        { type: 'CAROUSEL' },
        { type: 'BUTTONS', buttons: [{ type: 'OTP', text: 'Copy code' }] },
      ],
    });
    expect(carousel.unsupported).toEqual([
      'it has a CAROUSEL component',
      'its body placeholder {{name}} is not a number in a positional template',
      'button 0 is a OTP button, which a CSV column cannot fill',
    ]);
  });

  it('reads the status as given (the list keeps PAUSED and REJECTED templates; filtering is the caller’s)', () => {
    expect(byName('flash_sale').status).toBe('PAUSED');
    expect(byName('loan_offer').status).toBe('REJECTED');
  });
});
