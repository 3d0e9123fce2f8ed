// The generated product catalogue: 1,200 products in 12 categories with WebShop's schema
// (asin, name/Title, query, category, product_category, BulletPoints, Description, Attributes,
// options, pricing/Price, Reviews, Rating). Generation is a pure function of the data in
// catalogue-data.ts and CATALOGUE_VERSION.
//
// What follows WebShop's loader (engine.py::load_products) on purpose:
// - option names and values are lowercased and "/" becomes " | ";
// - a product priced as a range "$lo to $hi" is charged uniform(lo, hi). WebShop draws that
//   unseeded at load time; here it is a seeded draw, so prices are reproducible;
// - Price is printed like Python prints floats ("$100.0", "$12.99 to $15.99");
// - Rating is "N.A." for products without reviews.
// What is Stepwise's own: the product text is templated, and each product's text mentions its
// own attributes only, never option values, so the substring tests in the reward mean something.

import { BRAND_PREFIXES, BRAND_SUFFIXES, CATEGORIES, type CategorySpec, type ProductTypeSpec } from './catalogue-data';
import { pyFloatStr } from './py-text';
import { Sfc32, type SeededRng } from '../../core/random';

export const CATALOGUE_VERSION = 1;
export const PRODUCTS_PER_TYPE = 20;

export interface Review {
  title: string;
  score: number;
  body: string;
}

export interface Product {
  index: number;
  asin: string;
  category: string;
  query: string;
  /** WebShop keeps the raw product name as `name` and copies it to `Title`. */
  name: string;
  product_category: string;
  Title: string;
  Description: string;
  BulletPoints: string[];
  Attributes: string[];
  /** Option name -> values, in page order. */
  options: Record<string, string[]>;
  /** One price, or a [lo, hi] range. */
  pricing: number[];
  /** The price tag as WebShop prints it. */
  Price: string;
  /** What a purchase is charged (the seeded draw for a range). */
  price: number;
  Reviews: Review[];
  Rating: string;
  typeKey: string;
  noun: string;
  plural: boolean;
}

/** WebShop's option normalisation at load time. */
export function normalizeOptionValue(raw: string): string {
  return raw.trim().replaceAll('/', ' | ').toLowerCase();
}

function titleCase(phrase: string): string {
  return phrase
    .split(' ')
    .map((w) => (w.length > 0 ? w[0].toUpperCase() + w.slice(1) : w))
    .join(' ');
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function roundCents(x: number): number {
  return Math.round(x * 100) / 100;
}

const ASIN_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CENTS = [0.99, 0.49, 0.95, 0, 0.97, 0.89];

const FEATURE_PHRASES = [
  'a feature our customers ask for',
  'checked on every batch before it leaves the factory',
  'part of what sets this {brand} {noun} apart',
  'exactly as promised on the label',
  'one of the reasons shoppers come back to {brand}',
];
const CLOSINGS = [
  'Ships in a recyclable box.',
  'Backed by a 30 day return policy.',
  'Our support team answers every message within a day.',
  'Makes a thoughtful present.',
];
const REVIEW_TITLES: Record<number, readonly string[]> = {
  5: ['Love it', 'Exactly what I wanted', 'Five stars', 'Would buy again'],
  4: ['Very good', 'Solid choice', 'Happy with it'],
  3: ['It is okay', 'Does the job', 'Average'],
  2: ['Not great', 'Expected more'],
  1: ['Disappointed', 'Sent it back'],
};
const REVIEW_BODIES: Record<number, readonly string[]> = {
  5: ['This {noun} is even better than the pictures.', 'Second {noun} I have bought from {brand}, and it will not be the last.'],
  4: ['Good {noun} for the price; shipping took a few days.', 'Nice {noun}, one small flaw but nothing serious.'],
  3: ['The {noun} is fine, nothing special.', 'It works, but the {noun} feels cheaper than I hoped.'],
  2: ['The {noun} arrived late and did not match the description well.', 'Quality of this {noun} is below what I expected.'],
  1: ['My {noun} stopped working after a week.', 'Not the {noun} I ordered.'],
};

function fill(template: string, brand: string, noun: string): string {
  return template.replaceAll('{brand}', brand).replaceAll('{noun}', noun);
}

function brandPool(cat: CategorySpec): string[] {
  const rng = Sfc32.of(`webshop/catalogue/v${CATALOGUE_VERSION}/brands/${cat.brandSeed}`);
  const names = new Set<string>();
  while (names.size < 14) names.add(rng.pick(BRAND_PREFIXES) + rng.pick(BRAND_SUFFIXES));
  return [...names];
}

interface Draft {
  brand: string;
  attrs: string[];
  title: string;
  word: string;
  spec: string;
}

function draftTitle(rng: SeededRng, type: ProductTypeSpec, brands: readonly string[]): Draft {
  const brand = rng.pick(brands);
  const attrs = rng.subset(type.attrs, rng.int(3, Math.min(5, type.attrs.length)));
  const [a1, a2] = rng.sample(attrs, 2).map(titleCase);
  const word = rng.pick(type.words);
  const spec = rng.pick(type.specs);
  const noun = titleCase(type.noun);
  const templates = [
    `${brand} ${a1} ${word} ${noun}, ${spec}`,
    `${brand} ${word} ${noun} - ${a1} and ${a2}, ${spec}`,
    `${brand} ${noun} ${spec}, ${a1}, ${word}`,
  ];
  return { brand, attrs, title: rng.pick(templates), word, spec };
}

function makeProduct(index: number, cat: CategorySpec, type: ProductTypeSpec, serial: number, brands: readonly string[], titles: Set<string>, asins: Set<string>): Product {
  const rng = Sfc32.of(`webshop/catalogue/v${CATALOGUE_VERSION}/${type.key}/${serial}`);

  let draft = draftTitle(rng, type, brands);
  for (let tries = 0; titles.has(draft.title); tries++) {
    if (tries > 50) throw new Error(`webshop catalogue: cannot find a unique title for ${type.key}`);
    draft = draftTitle(rng, type, brands);
  }
  titles.add(draft.title);
  const { brand, attrs, title, spec, word } = draft;

  let asin = '';
  while (asin === '' || asins.has(asin)) {
    asin = 'B0';
    for (let i = 0; i < 8; i++) asin += ASIN_ALPHABET[rng.int(0, ASIN_ALPHABET.length - 1)];
  }
  asins.add(asin);

  const options: Record<string, string[]> = {};
  const seen = new Set<string>();
  for (const dim of type.options) {
    const k = rng.int(Math.min(3, dim.values.length), dim.values.length);
    const values = rng.subset(dim.values, k).map(normalizeOptionValue);
    for (const v of values) {
      // A click selects the option group of the LAST radio with that value (WebShop builds a
      // dict from value to input), so values must be unique within a product.
      if (seen.has(v)) throw new Error(`webshop catalogue: option value "${v}" repeats in ${type.key}`);
      seen.add(v);
    }
    options[dim.name.toLowerCase()] = values;
  }

  const [lo, hi] = type.price;
  // Skewed toward cheaper products; only + and * so every JS engine draws the same prices.
  const u = rng.next();
  const base = lo + (hi - lo) * u * (0.4 + 0.6 * u);
  const first = roundCents(Math.max(1, Math.floor(base)) + rng.pick(CENTS));
  let pricing: number[];
  let priceTag: string;
  let price: number;
  if (rng.chance(0.25)) {
    const second = roundCents(Math.floor(first * (1.1 + 0.4 * rng.next())) + 0.99);
    pricing = [first, second];
    priceTag = `$${pyFloatStr(first)} to $${pyFloatStr(second)}`;
    price = first + (second - first) * rng.next();
  } else {
    pricing = [first];
    priceTag = `$${pyFloatStr(first)}`;
    price = first;
  }

  const nounTitle = titleCase(type.noun);
  const bullets = [
    `${spec} | ${word} ${type.noun} that ${type.use}`,
    ...attrs.map((a) => `${titleCase(a)} - ${fill(rng.pick(FEATURE_PHRASES), brand, type.noun)}`),
    rng.pick(CLOSINGS),
  ];
  const description = `${brand} ${word} ${nounTitle}. This ${type.noun} ${type.use}. Key features: ${joinAnd(attrs)}. ${rng.pick(CLOSINGS)}`;

  const reviews: Review[] = [];
  const nReviews = rng.int(0, 3);
  for (let r = 0; r < nReviews; r++) {
    const score = rng.pick([5, 5, 5, 4, 4, 3, 2, 1]);
    reviews.push({
      title: rng.pick(REVIEW_TITLES[score]),
      score,
      body: fill(rng.pick(REVIEW_BODIES[score]), brand, type.noun),
    });
  }
  const rating = reviews.length === 0 ? 'N.A.' : pyFloatStr(Math.round((reviews.reduce((s, r) => s + r.score, 0) / reviews.length) * 10) / 10);

  return {
    index,
    asin,
    category: cat.category,
    query: type.query,
    name: title,
    product_category: [cat.root, ...type.path].join(' › '),
    Title: title,
    Description: description,
    BulletPoints: bullets,
    Attributes: attrs,
    options,
    pricing,
    Price: priceTag,
    price,
    Reviews: reviews,
    Rating: rating,
    typeKey: type.key,
    noun: type.noun,
    plural: type.plural,
  };
}

/** The full catalogue, in a fixed order (category, type, serial). */
export function generateCatalogue(): Product[] {
  const products: Product[] = [];
  const titles = new Set<string>();
  const asins = new Set<string>();
  for (const cat of CATEGORIES) {
    const brands = brandPool(cat);
    for (const type of cat.types) {
      for (let serial = 0; serial < PRODUCTS_PER_TYPE; serial++) {
        products.push(makeProduct(products.length, cat, type, serial, brands, titles, asins));
      }
    }
  }
  return products;
}
