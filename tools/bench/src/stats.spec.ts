import {
  contiguous,
  efficiency,
  markdownTable,
  replaceBetween,
  steadyStateRate,
  textTable,
  windowRate,
} from './stats.ts';

const series = (start: number, counts: number[]) =>
  counts.map((accepted, i) => ({ second: start + i, accepted }));

describe('steadyStateRate', () => {
  it('excludes ramp-up, the partial first/last seconds and the tail', () => {
    // partial first second, ramp, 10 s plateau at ~1000, tail.
    const perSecond = series(
      100,
      [120, 400, 700, 990, 1000, 1000, 1001, 999, 1000, 1000, 1000, 1000, 998, 600, 250, 30],
    );
    const steady = steadyStateRate(perSecond);
    expect(steady.steady).toBe(true);
    expect(steady.from).toBe(103);
    expect(steady.to).toBe(112);
    expect(steady.seconds).toBe(10);
    expect(steady.rate).toBeCloseTo(998.8, 6);
  });

  it('keeps a dip inside the plateau: it is part of the achieved rate', () => {
    const perSecond = series(0, [50, 80, 80, 80, 20, 80, 80, 80, 10]);
    const steady = steadyStateRate(perSecond);
    expect(steady.from).toBe(1);
    expect(steady.to).toBe(7);
    expect(steady.rate).toBeCloseTo((80 * 6 + 20) / 7, 6);
  });

  it('fills seconds without acceptances with zeros and ignores their order', () => {
    const perSecond = [
      { second: 5, accepted: 10 },
      { second: 1, accepted: 10 },
    ];
    expect(contiguous(perSecond).map((s) => s.accepted)).toEqual([10, 0, 0, 0, 10]);
  });

  it('falls back to total / duration for runs too short to have a plateau', () => {
    expect(steadyStateRate(series(0, [300, 1000, 700]))).toMatchObject({
      rate: 2000 / 3,
      steady: false,
    });
    expect(steadyStateRate([])).toMatchObject({ rate: 0, steady: false });
  });
});

describe('efficiency and windowRate', () => {
  it('is achieved / limit, undefined without a limit', () => {
    expect(efficiency(960, 1000)).toBeCloseTo(0.96, 10);
    expect(efficiency(960, undefined)).toBeUndefined();
  });

  it('rates a bounded window', () => {
    expect(windowRate(10, 34, 60)).toBeCloseTo(0.4, 10);
    expect(windowRate(10, 34, 0)).toBe(0);
  });
});

describe('tables and the docs section', () => {
  it('aligns text columns and escapes Markdown pipes', () => {
    expect(textTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
    expect(markdownTable(['a'], [['x|y']])).toBe('| a |\n| --- |\n| x\\|y |');
  });

  it('replaces only the text between the markers', () => {
    const doc = 'intro\n<!-- s -->\nold\n<!-- e -->\noutro\n';
    expect(replaceBetween(doc, '<!-- s -->', '<!-- e -->', 'new')).toBe(
      'intro\n<!-- s -->\nnew\n<!-- e -->\noutro\n',
    );
    expect(replaceBetween('intro', '<!-- s -->', '<!-- e -->', 'new')).toBe(
      'intro\n\n<!-- s -->\nnew\n<!-- e -->\n',
    );
  });
});
