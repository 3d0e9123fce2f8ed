// A stand-in backbone for the pipeline tests: deterministic features of a fixed small width from
// hashed words, and a prior ℓ(a|s) that favours actions sharing words with the goal and the
// current observation. It scores in microseconds, so a test can run every reward variant through
// the whole pipeline; one pipeline test runs the bundled model itself.

import { fnv1a } from '../core/hash';
import type { ChatMessage } from '../policy/prompts';
import type { EpisodeItem, EpisodeScoreResult } from '../policy/episode-scoring';
import type { EpisodeBackbone } from './rollout-decider';

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** A unit vector: the sum of one hashed ±1 pattern per word. */
function embed(text: string, dim: number, salt: number): Float32Array {
  const v = new Float32Array(dim);
  for (const w of words(text)) {
    const h = fnv1a(w, salt);
    for (let i = 0; i < dim; i++) v[i] += ((h >>> (i % 31)) & 1) ? 1 : -1;
  }
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

export class HashedBackbone implements EpisodeBackbone {
  calls = 0;
  constructor(readonly dim = 16) {}

  async scoreEpisodes(items: EpisodeItem[]): Promise<EpisodeScoreResult> {
    this.calls++;
    const out = items.map((it) => {
      const messages = (it.context as { messages: ChatMessage[] }).messages;
      const first = messages[1]?.content ?? '';
      const last = messages[messages.length - 1]?.content ?? '';
      const context = new Set([...words(first.split('\n')[0]), ...words(last)]);
      return {
        contextTokens: words(messages.map((m) => m.content).join(' ')).length,
        phi: embed(last, this.dim, 0x9e3779b9),
        candidates: it.candidates.map((a) => {
          const ws = words(a);
          const overlap = ws.filter((w) => context.has(w)).length;
          return { logprobSum: 0, logprobMean: -2 + overlap / Math.max(1, ws.length) - 0.05 * ws.length, tokens: ws.length, psi: embed(a, this.dim, 0x85ebca6b) };
        }),
      };
    });
    const zero = { renderMs: 0, tokenizeMs: 0, extendMs: 0, candidateMs: 0, kvCopyMs: 0, readoutMs: 0 };
    return {
      items: out, totalMs: 0, profile: zero, reusedTokens: 0, contextTokensRun: 0, contextRows: items.length,
      candidateRows: items.reduce((n, i) => n + i.candidates.length, 0), restarts: 0, tokensProcessed: 0, extensionPasses: 0, candidatePasses: 0,
    };
  }

  endEpisodes(): void {}
}
