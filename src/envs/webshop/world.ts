// The shared, immutable part of the webshop: catalogue, goals and search index. Built once per
// thread on first use (about 0.2 s); every env instance in that thread shares it.

import { generateCatalogue, type Product } from './catalogue';
import { generateGoals, type Goal } from './goals';
import { ProductSearch } from './search';

export interface World {
  products: readonly Product[];
  goals: readonly Goal[];
  byAsin: ReadonlyMap<string, Product>;
  /** Products by attribute and by category and query, for WebShop's "<a>", "<c>" and "<q>" searches. */
  byAttribute: ReadonlyMap<string, readonly number[]>;
  search: ProductSearch;
}

let catalogue: { products: Product[]; goals: Goal[] } | null = null;
let world: World | null = null;

/** Products and goals only (cheap enough for task pickers; no search index). */
export function catalogueAndGoals(): { products: readonly Product[]; goals: readonly Goal[] } {
  if (!catalogue) {
    const products = generateCatalogue();
    catalogue = { products, goals: generateGoals(products) };
  }
  return catalogue;
}

export function getWorld(): World {
  if (!world) {
    const { products, goals } = catalogueAndGoals();
    const byAttribute = new Map<string, number[]>();
    for (const p of products) {
      for (const a of p.Attributes) {
        const list = byAttribute.get(a);
        if (list) list.push(p.index);
        else byAttribute.set(a, [p.index]);
      }
    }
    world = {
      products,
      goals,
      byAsin: new Map(products.map((p) => [p.asin, p])),
      byAttribute,
      search: new ProductSearch(products),
    };
  }
  return world;
}
