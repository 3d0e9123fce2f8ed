import { describe, expect, it } from 'vitest';
import { purchaseDoc as doc } from './fixtures/purchase-doc';
import { WebshopRewardInputError, webshopRewardFromJson } from './reward-json';

describe('webshopRewardFromJson', () => {
  it("returns WebShop's sub-scores under WebShop's names", () => {
    // 1 attribute (description), 2 of 3 options, price ok: (1 + 2 + 1) / (3 + 3 + 1) = 4/7.
    const r = webshopRewardFromJson(doc());
    expect(Object.keys(r)).toEqual([
      'reward', 'r_type', 'query_match', 'category_match', 'title_score', 'r_att',
      'num_attr_matches', 'r_option', 'num_option_matches', 'r_price',
    ]);
    expect(r.reward).toBeCloseTo(4 / 7, 12);
    expect(r).toMatchObject({ r_type: 1, query_match: true, category_match: true, title_score: 1, num_attr_matches: 1, num_option_matches: 2, r_price: true });
    expect(r.r_att).toBeCloseTo(1 / 3, 12);
    expect(r.r_option).toBeCloseTo(2 / 3, 12);
  });

  it('accepts goal_options as a list and gives r_option null when empty', () => {
    const d = doc();
    (d.goal as Record<string, unknown>).goal_options = [];
    const r = webshopRewardFromJson(JSON.parse(JSON.stringify(d)));
    expect(r.r_option).toBeNull();
    // Purchased options still count when found in text: "grey"/"XL" are not -> (1 + 0 + 1) / 4.
    expect(r.reward).toBeCloseTo(2 / 4, 12);
  });

  it('names the offending field', () => {
    // any: each mutator deliberately writes an ill-typed value into the document.
    const cases: Array<[(d: Record<string, any>) => void, string]> = [
      [(d) => delete d.goal, 'goal'],
      [(d) => (d.goal.attributes = 'tea tree'), 'goal.attributes'],
      [(d) => (d.goal.attributes = []), 'goal.attributes'],
      [(d) => (d.goal.attributes = ['a', 3]), 'goal.attributes[1]'],
      [(d) => (d.goal.goal_options = { color: 7 }), 'goal.goal_options.color'],
      [(d) => (d.goal.price_upper = '40'), 'goal.price_upper'],
      [(d) => (d.goal.price_upper = 0), 'goal.price_upper'],
      [(d) => delete d.goal.name, 'goal.name'],
      [(d) => (d.purchased.Title = null), 'purchased.Title'],
      [(d) => (d.purchased.BulletPoints = [1]), 'purchased.BulletPoints[0]'],
      [(d) => delete d.purchased.Attributes, 'purchased.Attributes'],
      [(d) => (d.price = Number.NaN), 'price'],
      [(d) => (d.options = ['grey']), 'options'],
    ];
    for (const [mutate, field] of cases) {
      const d = doc() as Record<string, any>; // any: see the cases above
      mutate(d);
      let err: unknown;
      try {
        webshopRewardFromJson(d);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(WebshopRewardInputError);
      expect((err as WebshopRewardInputError).field).toBe(field);
      expect((err as Error).message.startsWith(`${field}: `)).toBe(true);
    }
    expect(() => webshopRewardFromJson([])).toThrow(/\(root\): expected an object/);
  });
});
