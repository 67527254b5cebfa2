import { checkMapping, chooseTemplate } from './mapping.js';
import { describeTemplate, type TemplateInfo } from './templates.js';
import { TEMPLATES } from './templates.fixture.js';

const all = TEMPLATES.map(describeTemplate);
const template = (name: string, language = 'en_US'): TemplateInfo => {
  const choice = chooseTemplate(all, name, language);
  if (!choice.ok) throw new Error(choice.problem.message);
  return choice.template;
};

describe('choosing the template', () => {
  it('finds the APPROVED template in that language', () => {
    expect(template('order_update', 'es_ES').body).toContain('Hola');
  });

  it('unknown template → names it', () => {
    const choice = chooseTemplate(all, 'promo', 'en_US');
    expect(choice).toEqual({
      ok: false,
      problem: {
        code: 'unknown-template',
        message: 'template "promo" does not exist',
        path: 'template.name',
      },
    });
  });

  it('unknown language → names template and language, and lists the approved ones', () => {
    const choice = chooseTemplate(all, 'order_update', 'fr');
    expect(choice.ok).toBe(false);
    if (choice.ok) return;
    expect(choice.problem.code).toBe('unknown-language');
    expect(choice.problem.message).toBe(
      'template "order_update" has no approved language "fr" (approved: en_US, es_ES)',
    );
  });

  it('not APPROVED → says its status', () => {
    for (const [name, status] of [
      ['flash_sale', 'PAUSED'],
      ['loan_offer', 'REJECTED'],
    ]) {
      const choice = chooseTemplate(all, name!, 'en_US');
      expect(choice.ok).toBe(false);
      if (choice.ok) continue;
      expect(choice.problem.code).toBe('template-not-approved');
      expect(choice.problem.message).toBe(
        `template "${name}" (en_US) is ${status}: only APPROVED templates can be sent`,
      );
    }
  });

  it('unsupported → says why', () => {
    const choice = chooseTemplate(all, 'store_location', 'en_US');
    expect(!choice.ok && choice.problem).toMatchObject({
      code: 'unsupported-template',
      message: expect.stringContaining('LOCATION') as unknown,
    });
  });
});

describe('checking the mapping against the template', () => {
  const body = (...positions: number[]) =>
    positions.map((position) => ({ position, column: `c${position}` }));

  it('accepts a mapping that fills exactly the parameters', () => {
    expect(checkMapping(template('order_update'), { body: body(2, 1) })).toEqual([]);
    expect(
      checkMapping(template('shipping_tracking'), {
        header: { type: 'image', column: 'photo' },
        body: body(1),
        buttons: [{ index: 1, subType: 'url', column: 'code' }],
      }),
    ).toEqual([]);
    // Quick-reply payloads are optional: with or without.
    const promo = template('seasonal_promo');
    expect(
      checkMapping(promo, { header: { type: 'text', column: 'season' }, body: body(1, 2, 3) }),
    ).toEqual([]);
    expect(
      checkMapping(promo, {
        header: { type: 'text', column: 'season' },
        body: body(1, 2, 3),
        buttons: [{ index: 0, subType: 'quick_reply', column: 'payload' }],
      }),
    ).toEqual([]);
  });

  it('a missing body parameter is named', () => {
    const problems = checkMapping(template('order_update'), { body: body(1) });
    expect(problems).toEqual([
      {
        code: 'missing-parameter',
        message:
          'mapping misses body parameter {{2}} of template "order_update" (en_US): add {"position": 2, "column": "<csv column>"} to mapping.body',
        parameter: 'body {{2}}',
        path: 'mapping.body',
      },
    ]);
  });

  it('an extra body parameter is named, with what the template has', () => {
    const problems = checkMapping(template('order_update'), { body: body(1, 2, 3) });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'unexpected-parameter',
        message:
          'mapping.body[2] maps body parameter {{3}}, which template "order_update" (en_US) does not have (its body has {{1}}, {{2}})',
        parameter: 'body {{3}}',
      }) as unknown,
    ]);
  });

  it('a duplicate is refused', () => {
    const problems = checkMapping(template('order_update'), {
      body: [...body(1, 2), { position: 1, column: 'other' }],
    });
    expect(problems.map((p) => p.code)).toEqual(['duplicate-parameter']);
    expect(problems[0]!.message).toContain('mapping.body[0] already maps it');
  });

  it('named templates need names, positional ones positions', () => {
    const named = template('order_confirmation');
    expect(
      checkMapping(named, {
        body: [
          { name: 'customer_name', column: 'a' },
          { name: 'order_number', column: 'b' },
        ],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'missing-parameter',
        parameter: 'body {{delivery_date}}',
        message: expect.stringContaining('{{delivery_date}}') as unknown,
      }) as unknown,
    ]);
    expect(checkMapping(named, { body: [{ position: 1, column: 'a' }] })[0]).toMatchObject({
      code: 'parameter-format-mismatch',
      message: expect.stringContaining('uses named parameters: give "name"') as unknown,
    });
    expect(
      checkMapping(template('order_update'), {
        body: [{ name: 'first', column: 'a' }, ...body(2)],
      })[0],
    ).toMatchObject({
      code: 'parameter-format-mismatch',
      message: expect.stringContaining('uses positional parameters') as unknown,
    });
  });

  it('header: missing, unexpected, wrong type, wrong name', () => {
    const promo = template('seasonal_promo');
    expect(checkMapping(promo, { body: body(1, 2, 3) })).toEqual([
      expect.objectContaining({
        code: 'missing-parameter',
        parameter: 'header',
        message: expect.stringContaining(
          'mapping misses the header parameter (the text placeholder {{1}} of "Our {{1}} sale is on!")',
        ) as unknown,
      }) as unknown,
    ]);
    expect(
      checkMapping(template('order_update'), {
        header: { type: 'text', column: 'x' },
        body: body(1, 2),
      }),
    ).toEqual([
      expect.objectContaining({ code: 'unexpected-parameter', parameter: 'header' }) as unknown,
    ]);
    expect(
      checkMapping(template('shipping_tracking'), {
        header: { type: 'video', column: 'x' },
        body: body(1),
        buttons: [{ index: 1, subType: 'url', column: 'code' }],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'parameter-type-mismatch',
        message: expect.stringContaining('is IMAGE: use "image"') as unknown,
      }) as unknown,
    ]);
    expect(
      checkMapping(template('coupon'), {
        header: { type: 'text', name: 'last_name', column: 'x' },
        body: [],
        buttons: [{ index: 0, subType: 'copy_code', column: 'code' }],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'unexpected-parameter',
        message: expect.stringContaining('has {{first_name}}') as unknown,
      }) as unknown,
    ]);
  });

  it('buttons: missing dynamic URL, static button, unknown index, wrong sub-type', () => {
    const tracking = template('shipping_tracking');
    const base = { header: { type: 'image' as const, column: 'photo' }, body: body(1) };
    expect(checkMapping(tracking, base)).toEqual([
      expect.objectContaining({
        code: 'missing-parameter',
        parameter: 'button 1',
        message: expect.stringContaining(
          'mapping misses button 1 (the URL suffix of https://shop.example.com/track/{{1}})',
        ) as unknown,
      }) as unknown,
    ]);
    expect(
      checkMapping(tracking, {
        ...base,
        buttons: [
          { index: 1, subType: 'url', column: 'c' },
          { index: 0, subType: 'url', column: 'c' },
        ],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'unexpected-parameter',
        message: expect.stringContaining('takes no parameter (PHONE_NUMBER)') as unknown,
      }) as unknown,
    ]);
    expect(
      checkMapping(tracking, {
        ...base,
        buttons: [
          { index: 1, subType: 'url', column: 'c' },
          { index: 5, subType: 'url', column: 'c' },
        ],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'unexpected-parameter',
        message: expect.stringContaining('does not have (it has buttons 0-1)') as unknown,
      }) as unknown,
    ]);
    expect(
      checkMapping(tracking, {
        ...base,
        buttons: [{ index: 1, subType: 'quick_reply', column: 'c' }],
      }),
    ).toEqual([
      expect.objectContaining({
        code: 'parameter-type-mismatch',
        message: expect.stringContaining('use "url"') as unknown,
      }) as unknown,
      expect.objectContaining({ code: 'missing-parameter', parameter: 'button 1' }) as unknown,
    ]);
  });

  it('reports every problem at once', () => {
    const problems = checkMapping(template('seasonal_promo'), { body: body(1, 4) });
    expect(problems.map((p) => `${p.code} ${p.parameter}`)).toEqual([
      'unexpected-parameter body {{4}}',
      'missing-parameter body {{2}}',
      'missing-parameter body {{3}}',
      'missing-parameter header',
    ]);
  });
});
