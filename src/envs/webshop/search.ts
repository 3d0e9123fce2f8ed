// Product search: BM25 over the same document text WebShop indexes, through MiniSearch.
//
// WebShop indexes one "contents" field per product with Pyserini (Lucene BM25, k1=0.9, b=0.4,
// Porter stemming, English stop words) and returns the top 50 hits
// (search_engine/convert_product_file_format.py: Title, Description, first BulletPoint and
// "option: v1, v2, and option2: ..." joined by spaces, lowercased). MiniSearch is configured to
// score the same way:
// - analyser shared by documents and queries, in Lucene's order: a StandardTokenizer-like word
//   split (letters/digits, keeping "6.7", "l'eau", "x_y" whole), drop a possessive "'s",
//   lowercase, drop Lucene's 33 English stop words, Porter stem (npm `stemmer`);
// - bm25 {k: 0.9, b: 0.4, d: 0}: d = 0 turns MiniSearch's default BM25+ into plain BM25, and k,
//   b are Pyserini's defaults. No prefix or fuzzy expansion;
// - a query scores the plain sum of MiniSearch's per-term BM25 scores, term by term in query
//   order (a repeated term counts twice, as in Pyserini's bag-of-words queries). MiniSearch's
//   own multi-term search multiplies each hit by the number of distinct terms it matched, a
//   coordination factor Lucene's BM25 does not have, and it rebuilds every posting per query,
//   which costs milliseconds for a long instruction. So each term's postings and BM25 scores are
//   taken once from a single-term MiniSearch search and memoised; a query adds them up;
// - ties go to the product indexed first, like Lucene's doc-id order.
// Differences that remain: Lucene stores document lengths in a lossy byte, and its tokenizer
// follows all of UAX #29; both only move near-ties.

import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import type { Product } from './catalogue';

export const SEARCH_RETURN_N = 50;

const LUCENE_STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they',
  'this', 'to', 'was', 'will', 'with',
]);
const WORD = /[\p{L}\p{N}_]+(?:['’.][\p{L}\p{N}_]+)*/gu;
const POSSESSIVE = /['’][sS]$/u;

const stemCache = new Map<string, string>();

/** Lucene-style analysis: the terms BM25 sees for a text. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const term = m[0].replace(POSSESSIVE, '').toLowerCase();
    if (term.length === 0 || LUCENE_STOP_WORDS.has(term)) continue;
    let stem = stemCache.get(term);
    if (stem === undefined) {
      stem = stemmer(term);
      stemCache.set(term, stem);
    }
    out.push(stem);
  }
  return out;
}

/** The text WebShop indexes for a product. */
export function documentText(p: Product): string {
  const optionText = Object.entries(p.options)
    .map(([name, values]) => `${name}: ${values.join(', ')}`)
    .join(', and ');
  return [p.Title, p.Description, p.BulletPoints[0] ?? '', optionText].join(' ').toLowerCase();
}

interface Doc {
  id: number;
  contents: string;
}

interface Postings {
  docs: Int32Array;
  scores: Float64Array;
}

export class ProductSearch {
  private readonly index: MiniSearch<Doc>;
  private readonly postings = new Map<string, Postings>();
  private readonly acc: Float64Array;
  private readonly touchedMark: Uint32Array;
  private epoch = 0;
  private readonly cache = new Map<string, readonly number[]>();
  // Three search candidates per goal are offered on the search page, so 8192 entries hold every
  // candidate of every goal (about 3 MB) and a rollout-heavy run stops paying for BM25.
  private static readonly CACHE_LIMIT = 8192;

  constructor(products: readonly Product[]) {
    this.index = new MiniSearch<Doc>({
      idField: 'id',
      fields: ['contents'],
      storeFields: [],
      tokenize: analyze,
      processTerm: (term) => term,
      searchOptions: { bm25: { k: 0.9, b: 0.4, d: 0 }, prefix: false, fuzzy: false, combineWith: 'OR' },
    });
    this.index.addAll(products.map((p) => ({ id: p.index, contents: documentText(p) })));
    const size = products.reduce((m, p) => Math.max(m, p.index + 1), 0);
    this.acc = new Float64Array(size);
    this.touchedMark = new Uint32Array(size);
  }

  /** One analysed term's BM25 scores, from MiniSearch (a single-term query has no coordination factor). */
  private termPostings(term: string): Postings {
    let p = this.postings.get(term);
    if (!p) {
      const hits = this.index.search(term, { tokenize: () => [term] });
      p = { docs: Int32Array.from(hits, (h) => h.id as number), scores: Float64Array.from(hits, (h) => h.score) };
      this.postings.set(term, p);
    }
    return p;
  }

  /** The top `SEARCH_RETURN_N` hits with their BM25 scores, best first. */
  scored(query: string): Array<{ index: number; score: number }> {
    const epoch = ++this.epoch;
    const touched: number[] = [];
    for (const term of analyze(query)) {
      const { docs, scores } = this.termPostings(term);
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i];
        if (this.touchedMark[d] !== epoch) {
          this.touchedMark[d] = epoch;
          this.acc[d] = 0;
          touched.push(d);
        }
        this.acc[d] += scores[i];
      }
    }
    // Keep the best SEARCH_RETURN_N in a sorted array: cheaper than sorting every touched doc.
    const top: Array<{ index: number; score: number }> = [];
    for (const d of touched) {
      const score = this.acc[d];
      const n = top.length;
      if (n === SEARCH_RETURN_N) {
        const last = top[n - 1];
        if (score < last.score || (score === last.score && d > last.index)) continue;
      }
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const m = top[mid];
        if (m.score > score || (m.score === score && m.index < d)) lo = mid + 1;
        else hi = mid;
      }
      top.splice(lo, 0, { index: d, score });
      if (top.length > SEARCH_RETURN_N) top.pop();
    }
    return top;
  }

  /** Product indices of the top `SEARCH_RETURN_N` hits for a query, best first (memoised). */
  search(query: string): readonly number[] {
    const cached = this.cache.get(query);
    if (cached) return cached;
    const top = this.scored(query).map((h) => h.index);
    if (this.cache.size >= ProductSearch.CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(query, top);
    return top;
  }
}
