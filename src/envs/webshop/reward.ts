// WebShop's purchase reward, engine/goal.py::get_reward, ported term by term:
//
//   R = r_type · (num_attr_matches + num_option_matches + [price ≤ price_upper])
//                / (|goal.attributes| + |goal.goal_options| + 1)
//
// Every quirk of the original is kept, because scores are compared against WebShop's:
// - attributes are matched with token_set_ratio(purchased, goal) > 85, else by a case-sensitive
//   substring test of the goal attribute in the lowercased Title, BulletPoints and Description;
// - BulletPoints is joined with `' '.join(...)`, so a plain string is joined character by
//   character (WebShop's own test relies on that);
// - options are counted per PURCHASED option, so selecting more options than the goal names
//   can push R above 1; "size" needs an exact match after colour normalisation, other options
//   token_set_ratio(goal, purchased) > 85 (argument order matters for difflib);
// - r_option is null when the goal has no options, but option matches still enter the sum.
// The noun extractor for title_score is documented in title-nouns.ts.

import { normalizeColor } from './normalize-color';
import { pyStrip } from './py-text';
import { tokenSetRatio } from './thefuzz';
import { titleNouns } from './title-nouns';

export interface RewardGoal {
  query: string;
  product_category: string;
  name: string;
  attributes: readonly string[];
  /** A dict {name: value} (synthetic goals) or a list of values (human goals). */
  goal_options: Readonly<Record<string, string>> | readonly string[];
  price_upper: number;
}

export interface RewardProduct {
  query: string;
  product_category: string;
  name: string;
  Attributes: readonly string[];
  Title: string;
  BulletPoints: readonly string[] | string;
  Description: string;
}

export interface TypeReward {
  r_type: number;
  query_match: boolean;
  category_match: boolean;
  title_score: number;
}

export interface RewardBreakdown extends TypeReward {
  /** WebShop's number, unclamped (it can exceed 1, see above). */
  reward: number;
  r_att: number;
  num_attr_matches: number;
  r_option: number | null;
  num_option_matches: number;
  r_price: boolean;
  w_att: number;
  w_option: number;
  w_price: number;
}

const FUZZY_THRESHOLD = 85;
const EXACT_MATCH_OPTIONS = new Set(['size']);
const CATEGORY_SEPARATOR = '›';

function categorySet(path: string): Set<string> {
  return new Set(path.split(CATEGORY_SEPARATOR).map(pyStrip));
}

export function typeReward(purchased: RewardProduct, goal: RewardGoal): TypeReward {
  const queryMatch = purchased.query === goal.query;
  const goalCategories = categorySet(goal.product_category);
  let shared = 0;
  for (const c of categorySet(purchased.product_category)) if (goalCategories.has(c)) shared++;
  const categoryMatch = shared >= 2;

  const desired = titleNouns(goal.name);
  const purchasedNouns = new Set(titleNouns(purchased.name));
  let titleScore: number;
  if (desired.length === 0) {
    titleScore = 0.2;
  } else {
    const intersect = new Set(desired.filter((n) => purchasedNouns.has(n)));
    titleScore = intersect.size / desired.length;
  }

  let rType = 1.0;
  if (!(queryMatch || categoryMatch || titleScore > 0.2)) rType = 0.5;
  if (titleScore < 0.1) rType = 0.1;
  if (titleScore === 0) rType = 0.0;
  return { r_type: rType, query_match: queryMatch, category_match: categoryMatch, title_score: titleScore };
}

/** Python's `' '.join(x)`: a list joins its items, a string joins its code points. */
function pyJoin(x: readonly string[] | string): string {
  return typeof x === 'string' ? Array.from(x).join(' ') : x.join(' ');
}

interface LoweredText {
  title: string;
  bullets: string;
  description: string;
}

function loweredText(p: RewardProduct): LoweredText {
  return {
    title: p.Title.toLowerCase(),
    bullets: pyJoin(p.BulletPoints).toLowerCase(),
    description: p.Description.toLowerCase(),
  };
}

function inText(needle: string, text: LoweredText): boolean {
  return text.title.includes(needle) || text.bullets.includes(needle) || text.description.includes(needle);
}

export function attributeReward(purchased: RewardProduct, goal: RewardGoal, text = loweredText(purchased)): [number, number] {
  let matches = 0;
  for (const g of goal.attributes) {
    let matched = false;
    for (const p of purchased.Attributes) {
      if (tokenSetRatio(p, g) > FUZZY_THRESHOLD) {
        matches++;
        matched = true;
        break;
      }
    }
    if (!matched && inText(g, text)) matches++;
  }
  return [matches / goal.attributes.length, matches];
}

export function goalOptionValues(goal: RewardGoal): string[] {
  const o = goal.goal_options;
  return Array.isArray(o) ? [...(o as readonly string[])] : Object.values(o as Record<string, string>);
}

export function optionReward(
  purchased: RewardProduct,
  goalOptions: readonly string[],
  purchasedOptions: Readonly<Record<string, string>>,
  text = loweredText(purchased),
): [number | null, number] {
  const goalNorm = goalOptions.map(normalizeColor);
  let matches = 0;
  for (const [key, rawValue] of Object.entries(purchasedOptions)) {
    const value = normalizeColor(rawValue);
    let matched = false;
    if (EXACT_MATCH_OPTIONS.has(key.toLowerCase())) {
      if (goalNorm.includes(value)) {
        matches++;
        matched = true;
      }
    } else {
      for (const g of goalNorm) {
        if (tokenSetRatio(g, value) > FUZZY_THRESHOLD) {
          matches++;
          matched = true;
          break;
        }
      }
    }
    if (!matched && inText(value, text)) matches++;
  }
  return [goalNorm.length > 0 ? matches / goalNorm.length : null, matches];
}

/**
 * get_reward(purchased_product, goal, price, options, verbose=True). `goal.price_upper` must be
 * positive and `goal.attributes` non-empty: WebShop itself raises on anything else.
 */
export function webshopReward(
  purchased: RewardProduct,
  goal: RewardGoal,
  price: number,
  options: Readonly<Record<string, string>>,
): RewardBreakdown {
  const type = typeReward(purchased, goal);
  const text = loweredText(purchased);
  const rPrice = price <= goal.price_upper;
  const [rAtt, numAttr] = attributeReward(purchased, goal, text);
  const goalValues = goalOptionValues(goal);
  const [rOption, numOption] = optionReward(purchased, goalValues, options, text);
  const denominator = goal.attributes.length + goalValues.length + 1;
  const reward = ((numAttr + numOption + (rPrice ? 1 : 0)) / denominator) * type.r_type;
  return {
    reward,
    ...type,
    r_att: rAtt,
    num_attr_matches: numAttr,
    r_option: rOption,
    num_option_matches: numOption,
    r_price: rPrice,
    w_att: goal.attributes.length / denominator,
    w_option: goalValues.length / denominator,
    w_price: 1 / denominator,
  };
}
