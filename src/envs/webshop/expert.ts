// The webshop expert: a shopper who knows WebShop's reward. From any state it moves toward a
// purchase scoring 1:
//   search page  -> search[the goal's attributes + product noun] (the target's title lowercased
//                   if that query was already tried this episode)
//   results page -> the first listed product that can score 1 with the goal's options,
//                   else "Next >", else "Back to Search"
//   item page    -> if this product can score 1: click each goal option not yet selected, then
//                   "Buy Now"; otherwise "< Prev"
//   sub page     -> "< Prev"
// "Can score 1" is decided by the reward itself: select the goal's option values (each must
// exist on the product) and compute get_reward. Options already selected by someone else can
// only add matches, so the plan stays at 1 from any state. The target always qualifies.

import type { Product } from './catalogue';
import type { Goal } from './goals';
import { webshopReward, type RewardGoal } from './reward';

export function rewardGoal(goal: Goal): RewardGoal {
  return {
    query: goal.query,
    product_category: goal.product_category,
    name: goal.name,
    attributes: goal.attributes,
    goal_options: goal.goal_options,
    price_upper: goal.price_upper,
  };
}

/** Options to select on `product` for a purchase scoring 1, or null if none exists. */
export function perfectPurchasePlan(product: Product, goal: Goal): Map<string, string> | null {
  const plan = new Map<string, string>();
  for (const [name, value] of Object.entries(goal.goal_options)) {
    let dim: string | undefined = product.options[name]?.includes(value) ? name : undefined;
    if (dim === undefined) {
      for (const [other, values] of Object.entries(product.options)) if (values.includes(value)) dim = other;
    }
    if (dim === undefined) return null;
    plan.set(dim, value);
  }
  const r = webshopReward(product, rewardGoal(goal), product.price, Object.fromEntries(plan));
  return r.reward >= 1 ? plan : null;
}

export type ExpertView =
  | { page: 'search'; searched: readonly string[] }
  | { page: 'results'; items: readonly Product[]; hasNext: boolean }
  | { page: 'item'; product: Product; options: ReadonlyMap<string, string> }
  | { page: 'sub' }
  | { page: 'done' };

export function expertAction(view: ExpertView, goal: Goal, target: Product, plan: (p: Product) => Map<string, string> | null): string | null {
  switch (view.page) {
    case 'search': {
      const queries = [goal.searchQuery, target.Title.toLowerCase()];
      const q = queries.find((c) => !view.searched.includes(c)) ?? goal.searchQuery;
      return `search[${q}]`;
    }
    case 'results': {
      const hit = view.items.find((p) => plan(p) !== null);
      if (hit) return `click[${hit.asin}]`;
      return view.hasNext ? 'click[Next >]' : 'click[Back to Search]';
    }
    case 'item': {
      const p = plan(view.product);
      if (!p) return 'click[< Prev]';
      for (const [name, value] of p) if (view.options.get(name) !== value) return `click[${value}]`;
      return 'click[Buy Now]';
    }
    case 'sub':
      return 'click[< Prev]';
    case 'done':
      return null;
  }
}
