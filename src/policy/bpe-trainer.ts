// Byte-level BPE (the GPT-2 scheme) fitted to the environments' text.
//
// Why byte-level BPE and not a closed word list: every string has an encoding, so nothing the
// agent or the user types can become <unk> (WebShop search queries, unseen-split object names,
// prices, typos); frequent words of the environments still become single tokens; and
// transformers.js implements BPE natively, whereas "WordLevel" only loads through a legacy
// fallback with silent failure modes. The cost is a few tokens for rare words.

/** GPT-2's reversible map from bytes to printable code points (so merges are plain strings). */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  const set = new Set(printable);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(set.has(b) ? b : 256 + extra++);
  return table;
}

/** The split the HF ByteLevel pre-tokenizer applies before BPE (use_regex: true). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const BYTE_CHARS = byteToUnicode();
const encoder = new TextEncoder();

/** Pre-token -> its byte-level symbol string. */
export function toByteLevel(piece: string): string {
  let out = '';
  for (const b of encoder.encode(piece)) out += BYTE_CHARS[b];
  return out;
}

export function preTokenize(text: string): string[] {
  return text.match(GPT2_SPLIT) ?? [];
}

export interface BpeTrainOptions {
  /** Total vocabulary including special tokens and the 256 byte symbols. */
  vocabSize: number;
  /** Added first, ids 0..n-1, never split. */
  specialTokens: string[];
  /** A pair must occur at least this often to be merged. */
  minFrequency?: number;
}

export interface BpeModel {
  /** token string (byte-level symbols, or a special token) -> id */
  vocab: Map<string, number>;
  /** In rank order. */
  merges: Array<[string, string]>;
  specialTokens: string[];
}

/** Min-heap keyed by (-count, pair) so the most frequent pair wins and ties break the same way every run. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): { count: number; key: number } | null {
    if (!this.counts.length) return null;
    const top = { count: this.counts[0], key: this.keys[0] };
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.before(l, best)) best = l;
        if (r < this.counts.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
  private before(a: number, b: number): boolean {
    return this.counts[a] > this.counts[b] || (this.counts[a] === this.counts[b] && this.keys[a] < this.keys[b]);
  }
  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b], this.counts[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
  }
}

/**
 * Learns merges from weighted texts. Deterministic: word types are processed in sorted order and
 * ties between equally frequent pairs break by symbol ids, which are assigned in a fixed order.
 */
export function trainByteLevelBpe(texts: Iterable<string>, options: BpeTrainOptions): BpeModel {
  const minFrequency = options.minFrequency ?? 2;
  const specials = options.specialTokens;
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of splitOnSpecials(text, specials)) {
      if (piece.special) continue;
      for (const pre of preTokenize(piece.text)) {
        const w = toByteLevel(pre);
        wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
      }
    }
  }

  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string): number => {
    let id = symbolId.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symbolId.set(s, id);
    }
    return id;
  };
  for (const c of BYTE_CHARS) intern(c);

  const types = [...wordCounts.keys()].sort();
  const words: number[][] = types.map((w) => Array.from(w, (c) => intern(c)));
  const freq = types.map((w) => wordCounts.get(w)!);

  // Pair key = a * 2^21 + b (symbol ids stay far below 2^21), exact in a double.
  const SHIFT = 2097152;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1): void => {
    const w = words[wi];
    for (let i = 0; i + 1 < w.length; i++) {
      const key = w[i] * SHIFT + w[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * freq[wi]);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    }
  };
  words.forEach((_, wi) => addPairs(wi, 1));
  const heap = new PairHeap();
  for (const [key, count] of pairCount) heap.push(count, key);

  const merges: Array<[string, string]> = [];
  const budget = options.vocabSize - specials.length - BYTE_CHARS.length;
  while (merges.length < budget) {
    const top = heap.pop();
    if (!top) break;
    const current = pairCount.get(top.key) ?? 0;
    if (current !== top.count) {
      // Stale heap entry: the live count was pushed separately when it changed.
      continue;
    }
    if (current < minFrequency) break;
    const a = Math.floor(top.key / SHIFT);
    const b = top.key % SHIFT;
    const merged = intern(symbols[a] + symbols[b]);
    merges.push([symbols[a], symbols[b]]);
    const changed = new Set<number>();
    for (const wi of [...(pairWords.get(top.key) ?? [])].sort((x, y) => x - y)) {
      const w = words[wi];
      let has = false;
      for (let i = 0; i + 1 < w.length; i++) if (w[i] === a && w[i + 1] === b) has = true;
      if (!has) continue;
      for (let i = 0; i + 1 < w.length; i++) changed.add(w[i] * SHIFT + w[i + 1]);
      addPairs(wi, -1);
      const next: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(w[i]);
      }
      words[wi] = next;
      addPairs(wi, 1);
      for (let i = 0; i + 1 < next.length; i++) changed.add(next[i] * SHIFT + next[i + 1]);
    }
    pairCount.delete(top.key);
    pairWords.delete(top.key);
    changed.delete(top.key);
    // Every pair whose count moved gets its live count pushed; older heap entries go stale.
    for (const key of [...changed].sort((x, y) => x - y)) {
      const c = pairCount.get(key) ?? 0;
      if (c > 0) heap.push(c, key);
      else {
        pairCount.delete(key);
        pairWords.delete(key);
      }
    }
  }

  const vocab = new Map<string, number>();
  specials.forEach((s) => vocab.set(s, vocab.size));
  for (const c of BYTE_CHARS) vocab.set(c, vocab.size);
  for (const [x, y] of merges) if (!vocab.has(x + y)) vocab.set(x + y, vocab.size);
  return { vocab, merges, specialTokens: [...specials] };
}

/** Splits text around special-token strings, which are matched before any BPE (as HF does). */
export function splitOnSpecials(text: string, specials: string[]): Array<{ text: string; special: boolean }> {
  if (!specials.length) return [{ text, special: false }];
  const escaped = specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(${escaped.join('|')})`, 'g');
  const out: Array<{ text: string; special: boolean }> = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index), special: false });
    out.push({ text: m[0], special: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), special: false });
  return out;
}

/**
 * Reference encoder (rank-ordered merges within each pre-token), used to check the exported file
 * against transformers.js and to measure coverage without loading a runtime.
 */
export function createBpeEncoder(model: BpeModel): (text: string) => number[] {
  const rank = new Map<string, number>();
  model.merges.forEach(([a, b], i) => rank.set(`${a} ${b}`, i));
  const memo = new Map<string, number[]>();
  const encodePiece = (pre: string): number[] => {
    const hit = memo.get(pre);
    if (hit) return hit;
    let parts = Array.from(toByteLevel(pre));
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rank.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
    }
    const ids = parts.map((p) => model.vocab.get(p)!);
    memo.set(pre, ids);
    return ids;
  };
  return (text: string) => {
    const ids: number[] = [];
    for (const piece of splitOnSpecials(text, model.specialTokens)) {
      if (piece.special) ids.push(model.vocab.get(piece.text)!);
      else for (const pre of preTokenize(piece.text)) ids.push(...encodePiece(pre));
    }
    return ids;
  };
}

/** Inverse of the encoder: ids back to text (special tokens verbatim, byte symbols to UTF-8). */
export function createBpeDecoder(model: BpeModel): (ids: ArrayLike<number>) => string {
  const byId: string[] = [];
  for (const [token, id] of model.vocab) byId[id] = token;
  const special = new Set(model.specialTokens);
  const byteOf = new Map(BYTE_CHARS.map((c, b) => [c, b]));
  const decoder = new TextDecoder();
  return (ids) => {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) out += decoder.decode(Uint8Array.from(bytes));
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const token = byId[ids[i]];
      if (token === undefined) throw new RangeError(`token id ${ids[i]} is not in the vocabulary`);
      if (special.has(token)) {
        flush();
        out += token;
      } else for (const c of token) bytes.push(byteOf.get(c)!);
    }
    flush();
    return out;
  };
}

export interface CoverageStats {
  words: number;
  /** Characters (UTF-16 code units) of the text outside special tokens. */
  chars: number;
  tokens: number;
  /** Tokens with no vocabulary entry. Byte-level BPE has none by construction; measured anyway. */
  unknownTokens: number;
  /** Share of word occurrences (letter runs) encoded as one token. */
  singleTokenWordRate: number;
  tokensPerWord: number;
  /** Tokens per character over the whole text (lower is a tighter fit). */
  tokensPerChar: number;
  /**
   * Share of word occurrences whose encoding falls back to a lone byte somewhere: words the
   * tokenizer does not really know (the closest thing byte-level BPE has to "unknown").
   */
  byteFallbackWordRate: number;
  /** The same share counted in characters of the words (long unknown words weigh more). */
  byteFallbackCharRate: number;
}

export function measureCoverage(model: BpeModel, texts: Iterable<string>): CoverageStats {
  const encode = createBpeEncoder(model);
  const firstMergeId = model.specialTokens.length + 256;
  const spaceId = model.vocab.get(toByteLevel(' '))!;
  let words = 0;
  let chars = 0;
  let wordChars = 0;
  let singles = 0;
  let wordTokens = 0;
  let tokens = 0;
  let unknown = 0;
  let fallback = 0;
  let fallbackChars = 0;
  for (const text of texts) {
    const ids = encode(text);
    tokens += ids.length;
    for (const id of ids) if (id === undefined || id < 0) unknown++;
    for (const piece of splitOnSpecials(text, model.specialTokens)) {
      if (piece.special) continue;
      chars += piece.text.length;
      for (const pre of preTokenize(piece.text)) {
        if (!/\p{L}/u.test(pre)) continue;
        const wordIds = encode(pre);
        words++;
        wordChars += pre.length;
        wordTokens += wordIds.length;
        if (wordIds.length === 1) singles++;
        // A lone byte inside a word (not the leading space) means the word was spelled out.
        if (wordIds.length > 1 && wordIds.some((id) => id >= model.specialTokens.length && id < firstMergeId && id !== spaceId)) {
          fallback++;
          fallbackChars += pre.length;
        }
      }
    }
  }
  return {
    words,
    chars,
    tokens,
    unknownTokens: unknown,
    singleTokenWordRate: words ? singles / words : 1,
    tokensPerWord: words ? wordTokens / words : 0,
    tokensPerChar: chars ? tokens / chars : 0,
    byteFallbackWordRate: words ? fallback / words : 0,
    byteFallbackCharRate: wordChars ? fallbackChars / wordChars : 0,
  };
}
