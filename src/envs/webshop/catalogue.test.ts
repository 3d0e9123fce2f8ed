import { describe, expect, it } from 'vitest';
import { CATALOGUE_VERSION, normalizeOptionValue } from './catalogue';
import { CATEGORIES } from './catalogue-data';
import { FROZEN, fingerprint } from './frozen';
import { GOALS_VERSION, GOAL_COUNT, priceUpperFor } from './goals';
import { normalizeColor } from './normalize-color';
import { Sfc32 } from '../../core/random';
import { ProductSearch, analyze, documentText } from './search';
import { SPLITS_VERSION } from './splits';
import type { Product } from './catalogue';
import { catalogueAndGoals, getWorld } from './world';

const { products, goals } = catalogueAndGoals();

describe('catalogue', () => {
  it('is frozen: same content as the fingerprints of this version', () => {
    const msg = 'the webshop catalogue/goals changed: bump CATALOGUE_VERSION/GOALS_VERSION and update frozen.ts';
    expect([CATALOGUE_VERSION, GOALS_VERSION, SPLITS_VERSION], msg).toEqual([FROZEN.catalogueVersion, FROZEN.goalsVersion, FROZEN.splitsVersion]);
    expect(products.length).toBe(FROZEN.products);
    expect(goals.length).toBe(FROZEN.goals);
    expect(fingerprint(products), msg).toBe(FROZEN.catalogueFingerprint);
    expect(fingerprint(goals), msg).toBe(FROZEN.goalsFingerprint);
  });

  it("has at least 1000 products in at least 10 categories with WebShop's schema", () => {
    expect(products.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(products.map((p) => p.category)).size).toBeGreaterThanOrEqual(10);
    for (const p of products) {
      expect(p.asin).toMatch(/^B0[0-9A-Z]{8}$/);
      expect(p.Title).toBe(p.name);
      expect(p.product_category.split(' › ').length).toBeGreaterThanOrEqual(3);
      expect(p.query).toBe(p.query.toLowerCase());
      expect(p.Attributes.length).toBeGreaterThanOrEqual(3);
      expect(p.BulletPoints.length).toBeGreaterThanOrEqual(4);
      expect(p.Description.length).toBeGreaterThan(20);
      expect(Object.keys(p.options).length).toBeGreaterThanOrEqual(1);
      expect(p.Rating === 'N.A.' || /^\d\.\d$/.test(p.Rating)).toBe(true);
    }
    expect(new Set(products.map((p) => p.asin)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.Title)).size).toBe(products.length);
  });

  it('normalises options and prices the way WebShop loads them', () => {
    expect(normalizeOptionValue('Black/White ')).toBe('black | white');
    const shoe = products.find((p) => p.options.color?.includes('black | white'));
    expect(shoe, 'some product carries a "/" option').toBeDefined();
    for (const p of products) {
      for (const [name, values] of Object.entries(p.options)) {
        expect(name).toBe(name.toLowerCase());
        for (const v of values) expect(v).toBe(normalizeOptionValue(v));
      }
      const all = Object.values(p.options).flat();
      expect(new Set(all).size, `${p.asin} repeats an option value`).toBe(all.length);
      if (p.pricing.length === 1) {
        expect(p.price).toBe(p.pricing[0]);
      } else {
        expect(p.pricing).toHaveLength(2);
        expect(p.price).toBeGreaterThanOrEqual(p.pricing[0]);
        expect(p.price).toBeLessThanOrEqual(p.pricing[1]);
      }
      // Python prints floats with at least one decimal: "$100.0", "$12.99 to $15.99".
      expect(p.Price).toMatch(/^\$\d+\.\d{1,2}( to \$\d+\.\d{1,2})?$/);
    }
    expect(products.some((p) => p.pricing.length === 2)).toBe(true);
  });

  it("mentions only the product's own attributes, and no option value, in its text", () => {
    const types = new Map(CATEGORIES.flatMap((c) => c.types).map((t) => [t.key, t]));
    const leaks: string[] = [];
    for (const p of products) {
      const text = [p.Title, p.BulletPoints.join(' '), p.Description].join(' ').toLowerCase();
      for (const a of types.get(p.typeKey)?.attrs ?? []) if (!p.Attributes.includes(a) && text.includes(a)) leaks.push(`${p.asin} attr ${a}`);
      // The reward tests the colour-normalised value as a substring.
      for (const v of Object.values(p.options).flat()) if (text.includes(normalizeColor(v))) leaks.push(`${p.asin} option ${v}`);
    }
    expect(leaks).toEqual([]);
  });
});

describe('goals', () => {
  it("draw price_upper from the next four ten-dollar steps, as WebShop's get_goals does", () => {
    // $34.70: steps above are 40, 50, 60, 70; the larger of two distinct draws is 50..70.
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(priceUpperFor(34.7, Sfc32.of(`t${i}`)));
    expect([...seen].sort()).toEqual([50, 60, 70]);
    // $985: only $990 is above, fewer than two steps -> no bound.
    expect(priceUpperFor(985, Sfc32.of('x'))).toBe(1_000_000);
    // Exactly on a step: steps must be strictly above.
    for (let i = 0; i < 50; i++) expect(priceUpperFor(40, Sfc32.of(`s${i}`))).toBeGreaterThanOrEqual(60);
  });

  it('come from their target product and state attributes, options and price', () => {
    expect(goals).toHaveLength(GOAL_COUNT);
    for (const g of goals) {
      const p = products[g.productIndex];
      expect(g.asin).toBe(p.asin);
      expect(g.name).toBe(p.name);
      expect(g.query).toBe(p.query);
      expect(g.product_category).toBe(p.product_category);
      expect(g.attributes.length).toBeGreaterThanOrEqual(1);
      for (const a of g.attributes) {
        expect(p.Attributes).toContain(a);
        expect(g.instruction_text).toContain(a);
      }
      for (const [name, value] of Object.entries(g.goal_options)) {
        expect(p.options[name]).toContain(value);
        expect(g.instruction_text).toContain(value);
      }
      // The larger of two of the four steps above the price: 2nd to 4th step.
      const firstStep = Math.floor(p.price / 10) * 10 + 10;
      expect(g.price_upper % 10).toBe(0);
      expect(g.price_upper).toBeGreaterThanOrEqual(firstStep + 10);
      expect(g.price_upper).toBeLessThanOrEqual(firstStep + 30);
      expect(g.instruction_text.endsWith(`, and price lower than ${g.price_upper.toFixed(2)} dollars`)).toBe(true);
      expect(g.instruction_text).toBe(g.instruction_text.toLowerCase());
    }
  });
});

describe('search', () => {
  it('analyses text like Lucene: possessive, lowercase, stop words, Porter stems', () => {
    expect(analyze("The Men's Running-Shoes for 6.7 fl oz, l'eau D.O.N.")).toEqual(['men', 'run', 'shoe', '6.7', 'fl', 'oz', "l'eau", 'd.o.n']);
  });

  it("indexes WebShop's document text", () => {
    const p = products[0];
    const text = documentText(p);
    expect(text.startsWith(`${p.Title} ${p.Description} ${p.BulletPoints[0]} `.toLowerCase())).toBe(true);
    const [firstName, firstValues] = Object.entries(p.options)[0];
    expect(text).toContain(`${firstName}: ${firstValues.join(', ')}`);
  });

  it('ranks by plain BM25 (k1 0.9, b 0.4), without MiniSearch\'s matched-term multiplier', () => {
    const doc = (index: number, title: string): Product =>
      ({ index, Title: title, Description: '', BulletPoints: [], options: {} }) as unknown as Product;
    const titles = ['zebra stripe', 'red green', 'red kiwi', 'red lime', 'red plum', 'green fig', 'green yam', 'green nut', 'rye oat', 'tea cup'];
    const s = new ProductSearch(titles.map((t, i) => doc(i, t)));
    // All documents have 2 terms, so each tf-part is 1·(0.9+1)/(1+0.9) = 1 and a score is the
    // sum of idf = ln(1 + (N - n + 0.5)/(n + 0.5)), N = 10:
    //   zebra (n=1): ln(1 + 9.5/1.5) = 1.9924;  red, green (n=4): ln(1 + 6.5/4.5) = 0.8938.
    // Doc 0 = 1.9924 beats doc 1 = 1.7876; MiniSearch's default (score x matched terms) would
    // put doc 1 first (3.575).
    const hits = s.scored('zebra red green');
    expect(hits.map((h) => h.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(hits[0].score).toBeCloseTo(Math.log(1 + 9.5 / 1.5), 10);
    expect(hits[1].score).toBeCloseTo(2 * Math.log(1 + 6.5 / 4.5), 10);
    // Ties keep index order; a repeated query term counts twice.
    expect(s.scored('red red')[0].score).toBeCloseTo(2 * Math.log(1 + 6.5 / 4.5), 10);
    expect(s.search('stop words only: the and of')).toEqual([]);
  });

  it('returns at most 50 hits and finds each goal target for its expert query', () => {
    const { search } = getWorld();
    expect(search.search('shoes').length).toBeLessThanOrEqual(50);
    let onFirstPage = 0;
    for (const g of goals) {
      const hits = search.search(g.searchQuery);
      expect(hits.length).toBeLessThanOrEqual(50);
      const rank = hits.indexOf(g.productIndex);
      expect(rank, g.searchQuery).toBeGreaterThanOrEqual(0);
      if (rank < 10) onFirstPage++;
    }
    expect(onFirstPage / goals.length).toBeGreaterThan(0.9);
  });
});
