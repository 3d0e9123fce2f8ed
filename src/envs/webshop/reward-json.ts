// Scores one purchase given in WebShop's own field names, for `stepwise env reward --webshop-json`.
// Validation is strict and names the field, because a silently defaulted field would produce a
// plausible but wrong score. Unknown extra fields are ignored (WebShop goals carry asin,
// instruction_text, weight, ...).

import { webshopReward, type RewardBreakdown, type RewardGoal, type RewardProduct } from './reward';

export class WebshopRewardInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'WebshopRewardInputError';
    this.field = field;
  }
}

/** The reward and sub-scores `env reward` prints; the term weights are left out. */
export type WebshopRewardJsonResult = Omit<RewardBreakdown, 'w_att' | 'w_option' | 'w_price'>;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (!isRecord(v)) throw new WebshopRewardInputError(field, `expected an object, got ${describe(v)}`);
  return v;
}

function str(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new WebshopRewardInputError(`${path}.${key}`, `expected a string, got ${v === undefined ? 'nothing' : describe(v)}`);
  return v;
}

function strArray(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw new WebshopRewardInputError(field, `expected an array of strings, got ${v === undefined ? 'nothing' : describe(v)}`);
  v.forEach((item, i) => {
    if (typeof item !== 'string') throw new WebshopRewardInputError(`${field}[${i}]`, `expected a string, got ${describe(item)}`);
  });
  return v as string[];
}

function strRecord(v: unknown, field: string): Record<string, string> {
  const obj = record(v, field);
  for (const [k, item] of Object.entries(obj)) {
    if (typeof item !== 'string') throw new WebshopRewardInputError(`${field}.${k}`, `expected a string, got ${describe(item)}`);
  }
  return obj as Record<string, string>;
}

function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WebshopRewardInputError(field, `expected a finite number, got ${v === undefined ? 'nothing' : describe(v)}`);
  return v;
}

export function parseWebshopRewardInput(json: unknown): { goal: RewardGoal; purchased: RewardProduct; price: number; options: Record<string, string> } {
  const root = record(json, '(root)');
  const g = record(root.goal, 'goal');
  const p = record(root.purchased, 'purchased');

  const attributes = strArray(g.attributes, 'goal.attributes');
  // WebShop divides by len(goal['attributes']) and raises ZeroDivisionError on an empty list.
  if (attributes.length === 0) throw new WebshopRewardInputError('goal.attributes', 'must not be empty (WebShop divides by its length)');
  const goalOptions = Array.isArray(g.goal_options) ? strArray(g.goal_options, 'goal.goal_options') : strRecord(g.goal_options, 'goal.goal_options');
  const priceUpper = finite(g.price_upper, 'goal.price_upper');
  // With price_upper <= 0 WebShop's r_price is None and the sum raises TypeError.
  if (priceUpper <= 0) throw new WebshopRewardInputError('goal.price_upper', `must be > 0 (WebShop cannot score a purchase without a positive bound), got ${priceUpper}`);

  const bullets = p.BulletPoints;
  const bulletPoints = typeof bullets === 'string' ? bullets : strArray(bullets, 'purchased.BulletPoints');

  return {
    goal: {
      query: str(g, 'query', 'goal'),
      product_category: str(g, 'product_category', 'goal'),
      name: str(g, 'name', 'goal'),
      attributes,
      goal_options: goalOptions,
      price_upper: priceUpper,
    },
    purchased: {
      query: str(p, 'query', 'purchased'),
      product_category: str(p, 'product_category', 'purchased'),
      name: str(p, 'name', 'purchased'),
      Attributes: strArray(p.Attributes, 'purchased.Attributes'),
      Title: str(p, 'Title', 'purchased'),
      BulletPoints: bulletPoints,
      Description: str(p, 'Description', 'purchased'),
    },
    price: finite(root.price, 'price'),
    options: strRecord(root.options, 'options'),
  };
}

/** WebShop's get_reward on a JSON document with WebShop's field names. Throws WebshopRewardInputError. */
export function webshopRewardFromJson(json: unknown): WebshopRewardJsonResult {
  const { goal, purchased, price, options } = parseWebshopRewardInput(json);
  const r = webshopReward(purchased, goal, price, options);
  // Listed one by one: the key order is the CLI's JSON output order.
  return {
    reward: r.reward,
    r_type: r.r_type,
    query_match: r.query_match,
    category_match: r.category_match,
    title_score: r.title_score,
    r_att: r.r_att,
    num_attr_matches: r.num_attr_matches,
    r_option: r.r_option,
    num_option_matches: r.num_option_matches,
    r_price: r.r_price,
  };
}
