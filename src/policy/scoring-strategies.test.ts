// The prefix strategy's memory arithmetic and planner, on the sizes the issue names
// (Qwen2.5-0.5B: 24 layers, 2 KV heads of 64, vocabulary 151936, hidden 896).

import { describe, expect, it } from 'vitest';
import type { ModelInfo } from './backbone-types';
import { DEFAULT_MEMORY_BUDGET_BYTES, candidateRowBytes, contextPassBytes, kvBytesPerCandidate, passCosts, planPrefix } from './scoring-strategies';

const qwen = { numLayers: 24, numKvHeads: 2, headDim: 64 };
const qwenInfo = { ...qwen, dtype: 'q4', vocabSize: 151_936, hiddenSize: 896, featureSource: 'hidden-state', supportsLogitsToKeep: true } as ModelInfo;

describe('prefix memory plan', () => {
  it('one candidate copy of a 512-token Qwen2.5-0.5B context is layers × 2 × heads × head_dim × tokens × 4 bytes; 40 of them about 0.5 GB', () => {
    expect(kvBytesPerCandidate(qwen, 512, 4)).toBe(24 * 2 * 2 * 64 * 512 * 4);
    expect(kvBytesPerCandidate(qwen, 512, 4) * 40).toBeGreaterThan(0.5e9);
    expect(kvBytesPerCandidate(qwen, 512, 2)).toBe(kvBytesPerCandidate(qwen, 512, 4) / 2);
    expect(passCosts({ ...qwenInfo, dtype: 'q4f16' }).kvPerToken).toBe(24 * 2 * 2 * 64 * 2);
  });

  it('splits 40 candidates of 4 distinct 512-token contexts into passes that each fit the budget, every row exactly once', () => {
    const costs = passCosts(qwenInfo);
    const contexts = [512, 300, 512, 480];
    const rowContext = Array.from({ length: 40 }, (_, r) => r % 4);
    const rowLengths = Array.from({ length: 40 }, (_, r) => 3 + (r % 7));
    for (const budget of [DEFAULT_MEMORY_BUDGET_BYTES, 48 * 2 ** 20, 1]) {
      const plan = planPrefix(contexts, rowContext, rowLengths, costs, budget);
      expect(plan.groups.flatMap((g) => g.contexts)).toEqual([0, 1, 2, 3]);
      expect(plan.groups.flatMap((g) => g.chunks.flat()).sort((a, b) => a - b)).toEqual(rowContext.map((_, r) => r));
      for (const g of plan.groups) {
        for (const r of g.chunks.flat()) expect(g.contexts).toContain(rowContext[r]);
        const lc = Math.max(...g.contexts.map((c) => contexts[c]));
        const m = Math.max(...g.chunks.flat().map((r) => rowLengths[r]));
        for (const chunk of g.chunks) {
          const bytes = contextPassBytes(costs, g.contexts.length, lc) + chunk.length * candidateRowBytes(costs, lc, m);
          expect(bytes).toBeLessThanOrEqual(plan.plannedPeakBytes);
          // A budget below one context plus one candidate still runs, one row at a time.
          if (budget > 1) expect(bytes).toBeLessThanOrEqual(budget);
          else expect(chunk).toHaveLength(1);
        }
      }
      if (budget === 1) expect(plan.groups).toHaveLength(4);
    }
    // The whole batch in one pass would hold ~1 GB (copies, present cache and logits); 128 MiB needs several.
    const one = planPrefix(contexts, rowContext, rowLengths, costs, Infinity);
    expect(one.groups).toHaveLength(1);
    expect(one.groups[0].chunks).toHaveLength(1);
    expect(one.plannedPeakBytes).toBeGreaterThan(0.5e9);
    expect(planPrefix(contexts, rowContext, rowLengths, costs, DEFAULT_MEMORY_BUDGET_BYTES).groups.reduce((n, g) => n + g.chunks.length, 0)).toBeGreaterThan(4);
  });
});
