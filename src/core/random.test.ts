import { describe, expect, it } from 'vitest';
import { Mulberry32, Sfc32, boxMuller, mulberry32, normals, splitmix32, unitFloats, xorshift32, xorshift32Words } from './random';

// Frozen content hangs on these exact streams: environment tasks (mulberry32, sfc32), initial
// weights (mulberry32 + Box–Muller), the bundled decoder (splitmix32 + Box–Muller), kernel cases
// and fuzz actions (xorshift32). The values were taken from the copies these replaced, which lived
// in envs, nn, policy and gpu; the env fingerprint tests catch a drift too, but this one points
// at the cause.
describe('seeded random', () => {
  it('mulberry32 and sfc32 reproduce their frozen streams', () => {
    const m = Mulberry32.of('k');
    expect([m.next(), m.next(), m.next()]).toEqual([0.5863913358189166, 0.30110415164381266, 0.6255790877621621]);
    const s = Sfc32.of('k');
    expect([s.next(), s.next(), s.next()]).toEqual([0.2646778377238661, 0.9562910157255828, 0.11254923976957798]);
    expect(new Mulberry32(7).int(0, 1e9)).toBe(11704753);
    expect(Sfc32.of('x').int(0, 1e9)).toBe(229983958);
    const f = mulberry32(123);
    expect([f(), f(), f()]).toEqual([0.7872516233474016, 0.1785435655619949, 0.49531551403924823]);
    const g = mulberry32(123), c = new Mulberry32(123);
    for (let i = 0; i < 100; i++) expect(g()).toBe(c.next());
  });

  it('splitmix32 and its floats reproduce their frozen streams', () => {
    const s = splitmix32(1);
    expect([s(), s(), s()]).toEqual([2527132011, 314344336, 2535364964]);
    const u = unitFloats(splitmix32(9));
    expect([u(), u()]).toEqual([0.5995404389686882, 0.4097746324259788]);
  });

  it('xorshift32 reproduces its frozen stream as words and as floats', () => {
    const w = xorshift32Words(2024);
    expect([w(), w(), w()]).toEqual([526251350, 2669400077, 1180324480]);
    const x = xorshift32(2024);
    expect(x()).toBe(526251350 / 2 ** 32);
  });

  it('Box–Muller: frozen pairs, one pair per two uniforms, and the pair lies on the drawn radius', () => {
    const n = normals(unitFloats(splitmix32(5)));
    expect([n(), n(), n(), n(), n()]).toEqual([-0.047242359263006566, -0.9175649764589109, 1.571428233137908, 1.0004223812212574, 0.8497709402883855]);
    const draws: number[] = [];
    const rand = mulberry32(1);
    const spy = () => {
      const v = rand();
      draws.push(v);
      return v;
    };
    const [a, b] = boxMuller(spy, 2);
    expect([a, b]).toEqual([2.8086775568305273, 0.04828323504607205]);
    expect(draws).toHaveLength(2);
    // a² + b² = scale² · (−2 ln(1 − u)): the radius comes from the first uniform only.
    expect(a * a + b * b).toBeCloseTo(4 * -2 * Math.log(1 - draws[0]), 12);
  });

  it('shuffle, sample and subset draw without replacement and leave the input alone', () => {
    const xs = Object.freeze([...Array(20).keys()]);
    const rng = Mulberry32.of('draws');
    const shuffled = rng.shuffle(xs);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(xs);
    expect(shuffled).not.toEqual(xs);
    const sample = rng.sample(xs, 5);
    expect(new Set(sample).size).toBe(5);
    const subset = rng.subset(xs, 7);
    expect(subset).toEqual([...subset].sort((a, b) => a - b));
    expect(new Set(subset).size).toBe(7);
    expect(rng.sample(xs, 99)).toHaveLength(20);
  });

  it('pick refuses an empty list instead of returning undefined', () => {
    expect(() => Sfc32.of('e').pick([])).toThrow(/empty/);
  });

  it('xorshift32 treats seed 0 as 1 (zero is its fixed point) and stays in [0, 1)', () => {
    const a = xorshift32(0);
    const b = xorshift32(1);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
