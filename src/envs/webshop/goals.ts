// Shopping goals generated from target products, in the shape of WebShop's goals
// (engine/goal.py): asin, category, query, name, product_category, instruction_text,
// attributes, goal_options and price_upper.
//
// - Attributes: 1–3 of the target's own attributes, phrased like WebShop's human instructions
//   ("i need a long lasting lipstick ...").
// - Options: one value for each of the target's option groups (each group kept with
//   probability 0.85), stored as a {name: value} dict as in WebShop's synthetic goals.
// - Price: WebShop's rule. Take the ten-dollar steps $10…$990 above the product's price, keep
//   the first four, draw two of them and use the larger as price_upper; with fewer than two
//   steps there is no bound (price_upper 1e6, no price text).

import type { Product } from './catalogue';
import { pyFixed2 } from './py-text';
import { Sfc32, type SeededRng } from '../../core/random';

export const GOALS_VERSION = 1;
export const GOAL_COUNT = 1824;

export interface Goal {
  index: number;
  asin: string;
  productIndex: number;
  category: string;
  query: string;
  name: string;
  product_category: string;
  instruction_text: string;
  attributes: string[];
  goal_options: Record<string, string>;
  price_upper: number;
  /** The expert's first search: the goal's attributes and product noun. */
  searchQuery: string;
}

const PRICE_RANGE = Array.from({ length: 99 }, (_, i) => 10 * (i + 1));
const NO_PRICE_BOUND = 1_000_000;

export function priceUpperFor(price: number, rng: SeededRng): number {
  const steps = PRICE_RANGE.filter((p) => p > price).slice(0, 4);
  if (steps.length < 2) return NO_PRICE_BOUND;
  return Math.max(...rng.sample(steps, 2));
}

const OPENERS = ['i need', 'i am looking for', "i'm looking for", 'i want', 'find me', 'i would like', 'looking for', 'i want to buy', 'get me', 'search for'];

function article(next: string): string {
  return /^[aeiou]/.test(next) ? 'an ' : 'a ';
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function optionPhrase(rng: SeededRng, name: string, value: string): string {
  if (name === 'color') return rng.pick([`in ${value}`, `in ${value} color`, `in the color ${value}`]);
  if (name === 'size') return rng.pick([`in size ${value}`, `size ${value}`, `in ${value} size`]);
  // "flavor name" reads as "flavor" in prose; the synthetic "name: value" form keeps it.
  const short = name.replace(/ name$/, '');
  return rng.pick([`with ${name}: ${value}`, `in ${value}`, `with ${value} ${short}`]);
}

function instructionFor(rng: SeededRng, product: Product, attributes: readonly string[], options: Record<string, string>, priceUpper: number): string {
  const noun = product.noun;
  const attrs = joinAnd(attributes);
  let head: string;
  if (rng.chance(0.65)) {
    head = `${product.plural ? '' : article(attrs)}${attrs} ${noun}`;
  } else {
    head = `${product.plural ? '' : article(noun)}${noun} that ${product.plural ? 'are' : 'is'} ${attrs}`;
  }
  const parts = Object.entries(options).map(([name, value]) => optionPhrase(rng, name, value));
  const opts = parts.length === 0 ? '' : ` ${rng.chance(0.5) ? parts.join(', ') : joinAnd(parts)}`;
  const price = priceUpper === NO_PRICE_BOUND ? '' : `, and price lower than ${pyFixed2(priceUpper)} dollars`;
  return `${rng.pick(OPENERS)} ${head}${opts}${price}`;
}

export function generateGoals(products: readonly Product[]): Goal[] {
  const order = Sfc32.of(`webshop/goals/v${GOALS_VERSION}/order`).shuffle(products.map((p) => p.index));
  const goals: Goal[] = [];
  for (let index = 0; index < GOAL_COUNT; index++) {
    const product = products[order[index % order.length]];
    const rng = Sfc32.of(`webshop/goals/v${GOALS_VERSION}/${index}`);
    const k = rng.pick([1, 1, 2, 2, 2, 3, 3]);
    const attributes = rng.subset(product.Attributes, k);
    const goalOptions: Record<string, string> = {};
    for (const [name, values] of Object.entries(product.options)) {
      if (rng.chance(0.85)) goalOptions[name] = rng.pick(values);
    }
    const priceUpper = priceUpperFor(product.price, rng);
    goals.push({
      index,
      asin: product.asin,
      productIndex: product.index,
      category: product.category,
      query: product.query,
      name: product.name,
      product_category: product.product_category,
      instruction_text: instructionFor(rng, product, attributes, goalOptions, priceUpper),
      attributes,
      goal_options: goalOptions,
      price_upper: priceUpper,
      searchQuery: `${attributes.join(' ')} ${product.noun}`,
    });
  }
  return goals;
}
