// WebShop's pages in its "text" observation mode: the visible strings of each HTML template,
// stripped and joined by " [SEP] ", in the layout ETO/SPA's WebShop copy produces, e.g.
//   WebShop [SEP] Instruction: [SEP] i need ... [SEP] Search
//   Instruction: [SEP] i need ... [SEP] Back to Search [SEP] Page 1 (Total results: 50) [SEP] Next > [SEP] B0... [SEP] title [SEP] $12.99 ...
//   Instruction: [SEP] i need ... [SEP] Back to Search [SEP] < Prev [SEP] size [SEP] small [SEP] ... [SEP] title [SEP] Price: $12.99 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now
// Selected options are not visible in this mode (they are radio states), exactly as in WebShop.
// The purchase page is abridged to what matters after an episode: asin, options and score.

import type { Product } from './catalogue';
import { pyFloatStr } from './py-text';

export const SEP = ' [SEP] ';
export const PRODUCT_WINDOW = 10;

export const BACK_TO_SEARCH = 'Back to Search';
export const NEXT_PAGE = 'Next >';
export const PREV_PAGE = '< Prev';
export const BUY_NOW = 'Buy Now';
export const SUB_PAGES = ['Description', 'Features', 'Reviews'] as const;
export type SubPage = (typeof SUB_PAGES)[number];

export function searchPage(instruction: string): string {
  return ['WebShop', 'Instruction:', instruction, 'Search'].join(SEP);
}

// Products never change, so the product-only parts of a page are built once per product.
const resultEntries = new WeakMap<Product, string>();
const itemTails = new WeakMap<Product, string>();

function resultEntry(p: Product): string {
  let s = resultEntries.get(p);
  if (s === undefined) {
    s = [p.asin, p.Title, p.Price].join(SEP);
    resultEntries.set(p, s);
  }
  return s;
}

export function resultsPage(instruction: string, page: number, total: number, items: readonly Product[]): string {
  const parts = ['Instruction:', instruction, BACK_TO_SEARCH, `Page ${page} (Total results: ${total})`];
  if (page > 1) parts.push(PREV_PAGE);
  if (page * PRODUCT_WINDOW < total) parts.push(NEXT_PAGE);
  for (const p of items) parts.push(resultEntry(p));
  return parts.join(SEP);
}

export function itemPage(instruction: string, p: Product): string {
  let tail = itemTails.get(p);
  if (tail === undefined) {
    const parts: string[] = [];
    for (const [name, values] of Object.entries(p.options)) parts.push(name, ...values);
    parts.push(p.Title, `Price: ${p.Price}`, `Rating: ${p.Rating}`, ...SUB_PAGES, BUY_NOW);
    tail = parts.join(SEP);
    itemTails.set(p, tail);
  }
  return ['Instruction:', instruction, BACK_TO_SEARCH, PREV_PAGE, tail].join(SEP);
}

export function subPage(instruction: string, p: Product, sub: SubPage): string {
  const parts = ['Instruction:', instruction, BACK_TO_SEARCH, PREV_PAGE];
  if (sub === 'Description') {
    parts.push(p.Description || 'No Description');
  } else if (sub === 'Features') {
    if (p.BulletPoints.length > 0) parts.push(...p.BulletPoints);
    else parts.push('No Features');
  } else if (p.Reviews.length > 0) {
    for (const r of p.Reviews) parts.push(`"${r.title}"`, String(r.score), r.body);
  } else {
    parts.push('No reviews found');
  }
  return parts.join(SEP);
}

/** Flask's `tojson` sorts keys. */
function optionsJson(options: ReadonlyMap<string, string>): string {
  const entries = [...options].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

export function donePage(asin: string, options: ReadonlyMap<string, string>, reward: number): string {
  return [
    'Thank you for shopping with us!',
    'Your code:',
    'Purchased',
    'asin',
    asin,
    'options',
    optionsJson(options),
    'Your score (min 0.0, max 1.0)',
    pyFloatStr(reward),
  ].join(SEP);
}
