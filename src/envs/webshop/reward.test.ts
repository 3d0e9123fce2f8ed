// Every expected number here is worked out by hand from goal.py::get_reward; the comments show
// the arithmetic. The first block re-runs the scenarios of WebShop's own test_goal.py.
import { describe, expect, it } from 'vitest';
import { normalizeColor } from './normalize-color';
import { attributeReward, optionReward, typeReward, webshopReward, type RewardGoal, type RewardProduct } from './reward';
import { titleNouns } from './title-nouns';

const SHOE = 'Mens D.O.N. Issue 2 Gca Basketball Sneakers Shoes Casual - Off White';

function goal(over: Partial<RewardGoal> = {}): RewardGoal {
  return {
    query: 'Query 1',
    product_category: 'a › b › c',
    name: SHOE,
    attributes: ['tea tree', 'essential oils', 'natural ingredients'],
    goal_options: { color: 'grey', size: 'XL' },
    price_upper: 40,
    ...over,
  };
}

function product(over: Partial<RewardProduct> = {}): RewardProduct {
  return {
    query: 'Query 1',
    product_category: 'a › b › c',
    name: SHOE,
    Attributes: ['tea tree', 'essential oil', 'natural ingredients'],
    Title: '',
    BulletPoints: [],
    Description: '',
    ...over,
  };
}

describe("WebShop's own get_reward scenarios", () => {
  it('exact match scores 1', () => {
    // 3 attributes (fuzzy: "essential oil" vs "essential oils" = 96 > 85), options grey/XL both
    // hit, 35 <= 40: (3 + 2 + 1) / (3 + 2 + 1) = 1, r_type 1.
    const r = webshopReward(product(), goal(), 35, { color: 'grey', size: 'XL' });
    expect(r.reward).toBe(1);
    expect(r).toMatchObject({ r_att: 1, num_attr_matches: 3, r_option: 1, num_option_matches: 2, r_price: true, r_type: 1 });
  });

  it('a BulletPoints string is joined per character, as in Python', () => {
    // No Attributes. "natural ingredients" is in the Description; "essential oils" sits in a
    // BulletPoints STRING, which ' '.join() turns into "T h i s ...", so it is not found.
    // (1 + 2 + 1) / 6 = 2/3.
    const p = product({
      Attributes: [],
      BulletPoints: 'This shampoo has essential oils and smells like lemons',
      Description: 'Best shampoo on the market, made with natural ingredients',
    });
    const r = webshopReward(p, goal(), 35, { color: 'grey', size: 'XL' });
    expect(r.num_attr_matches).toBe(1);
    expect(r.reward).toBeCloseTo(2 / 3, 12);
    // The same sentence as a one-item list is found: (2 + 2 + 1) / 6.
    const listed = webshopReward({ ...p, BulletPoints: ['This shampoo has essential oils and smells like lemons'] }, goal(), 35, { color: 'grey', size: 'XL' });
    expect(listed.reward).toBeCloseTo(5 / 6, 12);
  });

  it('a third goal option the purchase lacks', () => {
    // Goal options grey, XL, pack of 12; purchased grey, XL: (1 + 2 + 1) / (3 + 3 + 1) = 4/7.
    const p = product({ Attributes: [], BulletPoints: 'This shampoo has essential oils and smells like lemons', Description: 'Best shampoo on the market, made with natural ingredients' });
    const g = goal({ goal_options: { color: 'grey', size: 'XL', amount: 'pack of 12' } });
    const r = webshopReward(p, g, 35, { color: 'grey', size: 'XL' });
    expect(r.reward).toBeCloseTo(4 / 7, 12);
    expect(r.r_option).toBeCloseTo(2 / 3, 12);
  });

  it('a different product type halves the score', () => {
    // Query differs, categories share only "a", title nouns overlap {power, cord} of 12
    // goal nouns = 0.1667: not > 0.2 so r_type 0.5, not < 0.1 so it stays. 4/7 · 0.5 = 2/7.
    const p = product({
      Attributes: [],
      BulletPoints: 'This shampoo has essential oils and smells like lemons',
      Description: 'Best shampoo on the market, made with natural ingredients',
      query: 'Query 2',
      product_category: 'a › d › e',
      name: 'BRST AC Power Cord Outlet Socket Cable Plug Lead for Panasonic SC-HT830V DVD/VCR Combo Home Theater System',
    });
    const g = goal({
      goal_options: { color: 'grey', size: 'XL', amount: 'pack of 12' },
      name: 'Saireed UL Listed 2 Prong Power Cord for JBL Bar 3.1 Bar 2.1 Channel 4K Ultra HD Soundbar',
    });
    const r = webshopReward(p, g, 35, { color: 'grey', size: 'XL' });
    expect(r.title_score).toBeCloseTo(2 / 12, 12);
    expect(r.r_type).toBe(0.5);
    expect(r.reward).toBeCloseTo(2 / 7, 12);
  });
});

describe('r_type: query, category and title nouns', () => {
  const t = (p: Partial<RewardProduct>, g: Partial<RewardGoal>) => typeReward(product(p), goal(g));

  it('category match ignores order and needs two shared levels', () => {
    expect(t({ product_category: 'b › c › a' }, {}).category_match).toBe(true);
    expect(t({ product_category: 'a › d › b' }, {}).category_match).toBe(true);
    expect(t({ product_category: 'a › a › b' }, {}).category_match).toBe(true);
    expect(t({ product_category: 'a › a › d' }, {}).category_match).toBe(false);
    expect(t({ product_category: 'd › e › f' }, {}).category_match).toBe(false);
    // Levels are stripped with Python's whitespace set.
    expect(t({ product_category: '\x1ca\x1c›b' }, { product_category: 'a › b' }).category_match).toBe(true);
  });

  it('title scores of WebShop test_goal.py', () => {
    // 7 goal nouns (adidas unisex adult d.o.n. issue basketball shoe), 6 shared -> 6/7.
    expect(
      t({ name: 'adidas Unisex-Adult D.o.n. Issue 2 Indoor Court Shoe' }, { name: 'adidas Unisex-Adult D.o.n. Issue 2 Basketball Shoe' }).title_score,
    ).toBeCloseTo(6 / 7, 12);
    // 16 goal nouns ("Bar" twice), 5 shared: power cord home theater system -> 0.3125.
    expect(
      t(
        { name: 'BRST AC Power Cord Outlet Socket Cable Plug Lead for Panasonic SC-HT830V DVD/VCR Combo Home Theater System' },
        { name: 'Saireed UL Listed 2 Prong Power Cord for JBL Bar 3.1 Bar 2.1 Channel 4K Ultra HD Soundbar Home Theater System Subwoofer' },
      ).title_score,
    ).toBeCloseTo(5 / 16, 12);
    expect(
      t(
        { name: 'Minkissy 2pcs Stainless Steel Eyebrow Tweezers Blackhead Acne Remover Portable Makeup Tweezers (Silver)' },
        { name: 'Rusticware 921ORB Kitchen and Bath Cabinet Knob' },
      ).title_score,
    ).toBe(0);
  });

  it('thresholds 0.2 / 0.1 / 0', () => {
    const other = { query: 'q2', product_category: 'x › y' };
    // 1 of 4 nouns = 0.25 > 0.2 -> 1.0 even without query or category match.
    expect(t({ ...other, name: 'lamp' }, { name: 'lamp desk shade bulb' }).r_type).toBe(1);
    // 1 of 5 = 0.2 is not > 0.2 -> 0.5.
    expect(t({ ...other, name: 'lamp' }, { name: 'lamp desk shade bulb cord' }).r_type).toBe(0.5);
    // 1 of 11 = 0.0909 < 0.1 -> 0.1, even with a query match.
    expect(t({ name: 'lamp' }, { name: 'lamp a1 b1 c1 d1 e1 f1 g1 h1 i1 j1' }).r_type).toBe(0.1);
    // No shared noun -> 0, even with query and category matching.
    expect(t({ name: 'sofa' }, { name: 'lamp' }).r_type).toBe(0);
    // A goal name without nouns scores 0.2: r_type 1 only through query/category.
    expect(titleNouns('2 for 1')).toEqual([]);
    expect(t({ name: 'sofa' }, { name: '2 for 1' })).toMatchObject({ title_score: 0.2, r_type: 1 });
    expect(t({ ...other, name: 'sofa' }, { name: '2 for 1' })).toMatchObject({ title_score: 0.2, r_type: 0.5 });
  });
});

describe('attribute matches', () => {
  it('fuzzy > 85 or a case-sensitive substring, each goal attribute once', () => {
    const g = goal({ attributes: ['machine wash', 'abcdefghijklmnopq', 'Tea Tree', 'tea tree'] });
    const p = product({ Attributes: ['machine washable', 'abcdefghijklmnopqrstuvw'], Title: 'TEA TREE shampoo' });
    // machine wash: 86 -> hit. abcdef..q vs ..w: exactly 85 -> miss, not in text -> miss.
    // "Tea Tree": not in the lowercased title (case-sensitive) -> miss. "tea tree" -> hit.
    expect(attributeReward(p, g)).toEqual([2 / 4, 2]);
  });
});

describe('option matches and colour normalisation', () => {
  it('normalises to the first colour of the list, not of the string', () => {
    expect(normalizeColor('light blue')).toBe('blue');
    expect(normalizeColor('dark red')).toBe('dark');
    expect(normalizeColor('standard')).toBe('tan');
    expect(normalizeColor('Red')).toBe('Red');
  });

  it('size is exact after normalisation, other options fuzzy, then text substring', () => {
    const p = product();
    // size "xl" vs goal "XL": exact membership fails, title empty -> 0.
    expect(optionReward(p, ['XL'], { size: 'xl' })).toEqual([0, 0]);
    // "navy blue" and "light blue" both become "blue" -> 100.
    expect(optionReward(p, ['navy blue'], { color: 'light blue' })).toEqual([1, 1]);
    // "dark red" becomes "dark"; "red" stays: ratio("dark", "red") = 2·1/7 -> 29 -> miss.
    expect(optionReward(p, ['dark red'], { color: 'red' })).toEqual([0, 0]);
    // ...but the purchased value found in the bullets still counts.
    expect(optionReward({ ...p, BulletPoints: ['a red one'] }, ['dark red'], { color: 'red' })).toEqual([1, 1]);
    // Size exact after both sides turn "standard" into "tan".
    expect(optionReward(p, ['standard'], { Size: 'standard' })).toEqual([1, 1]);
  });

  it('counts per purchased option, so extra selections can push R above 1', () => {
    // 1 attribute hit, options: black hits black, "large" is in the title -> 2 of 1 goal option,
    // price ok: (1 + 2 + 1) / (1 + 1 + 1) = 4/3.
    const p = product({ Attributes: ['tea tree'], Title: 'Large tea tree kit' });
    const r = webshopReward(p, goal({ attributes: ['tea tree'], goal_options: { color: 'black' } }), 10, { color: 'black', size: 'large' });
    expect(r.r_option).toBe(2);
    expect(r.reward).toBeCloseTo(4 / 3, 12);
  });

  it('no goal options: r_option is null and the denominator has no option term', () => {
    // (1 attribute + 0 options + price) / (1 + 0 + 1) = 1.
    const r = webshopReward(product({ Attributes: ['tea tree'] }), goal({ attributes: ['tea tree'], goal_options: [] }), 10, {});
    expect(r.r_option).toBeNull();
    expect(r.reward).toBe(1);
    // A list of goal options works like the dict's values.
    const listed = webshopReward(product(), goal({ goal_options: ['grey', 'XL'] }), 35, { color: 'grey', size: 'XL' });
    expect(listed.reward).toBe(1);
  });
});

describe('price term', () => {
  it('is price <= price_upper', () => {
    const opts = { color: 'grey', size: 'XL' };
    expect(webshopReward(product(), goal(), 40, opts).r_price).toBe(true);
    const over = webshopReward(product(), goal(), 40.01, opts);
    // (3 + 2 + 0) / 6.
    expect(over.r_price).toBe(false);
    expect(over.reward).toBeCloseTo(5 / 6, 12);
    expect(over.w_price).toBeCloseTo(1 / 6, 12);
    expect(over.w_att).toBeCloseTo(3 / 6, 12);
    expect(over.w_option).toBeCloseTo(2 / 6, 12);
  });
});
