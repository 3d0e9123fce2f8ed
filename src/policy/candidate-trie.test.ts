// The trie layout's invariants on hand-checked cases: shared leading tokens written once, depths,
// subtree ranges (each token sees exactly its ancestors and itself), parents, leaves left out on
// request, identical candidates sharing nodes, and the layout independent of candidate order.

import { describe, expect, it } from 'vitest';
import { layoutTrie } from './candidate-trie';

/** Row indices a token at row index i may attend to under the layout's ranges (and causality). */
function visibleTo(visibleUntil: number[], i: number): number[] {
  return visibleUntil.map((u, j) => (j <= i && i <= u ? j : -1)).filter((j) => j >= 0);
}

describe('layoutTrie', () => {
  const root = 100;
  const cands = [[1, 2, 3], [1, 2, 4], [1], [5, 6], [1, 2, 3]];

  it('writes shared tokens once, depth-first, with subtree ranges and parents', () => {
    const l = layoutTrie(root, cands, { leaves: true });
    expect(l.tokens).toEqual([100, 1, 2, 3, 4, 5, 6]);
    expect(l.depth).toEqual([0, 1, 2, 3, 3, 1, 2]);
    expect(l.visibleUntil).toEqual([6, 4, 4, 3, 4, 6, 6]);
    expect(l.paths[0]).toEqual({ parent: [0, 1, 2], at: [1, 2, 3] });
    expect(l.paths[1]).toEqual({ parent: [0, 1, 2], at: [1, 2, 4] });
    expect(l.paths[2]).toEqual({ parent: [0], at: [1] });
    expect(l.paths[3]).toEqual({ parent: [0, 5], at: [5, 6] });
    expect(l.paths[4]).toEqual(l.paths[0]);
  });

  it('every row token sees exactly its ancestors and itself', () => {
    const l = layoutTrie(root, cands, { leaves: true });
    // Ancestors by walking the paths: token 4 (row 4) has ancestors root, 1, 2.
    expect(visibleTo(l.visibleUntil, 4)).toEqual([0, 1, 2, 4]);
    expect(visibleTo(l.visibleUntil, 3)).toEqual([0, 1, 2, 3]);
    expect(visibleTo(l.visibleUntil, 5)).toEqual([0, 5]);
    expect(visibleTo(l.visibleUntil, 6)).toEqual([0, 5, 6]);
  });

  it('leaves out the leaves on request; parents still point at rows', () => {
    const l = layoutTrie(root, cands, { leaves: false });
    // Leaves 3, 4 and 6 go; 1 stays (it is a candidate's end but also a parent).
    expect(l.tokens).toEqual([100, 1, 2, 5]);
    expect(l.visibleUntil).toEqual([3, 2, 2, 3]);
    expect(l.paths[0]).toEqual({ parent: [0, 1, 2], at: [1, 2, -1] });
    expect(l.paths[3]).toEqual({ parent: [0, 3], at: [3, -1] });
    for (const p of l.paths) for (const q of p.parent) expect(q).toBeGreaterThanOrEqual(0);
  });

  it('depends on the set of candidates, not their order, and an empty list is the root alone', () => {
    const a = layoutTrie(root, cands, { leaves: true });
    const b = layoutTrie(root, [...cands].reverse(), { leaves: true });
    expect(b.tokens.length).toBe(a.tokens.length);
    expect(b.paths.reverse().map((p) => p.at.map((i) => b.tokens[i]))).toEqual(a.paths.map((p) => p.at.map((i) => a.tokens[i])));
    expect(layoutTrie(root, [], { leaves: false })).toEqual({ tokens: [100], depth: [0], visibleUntil: [0], paths: [] });
    expect(() => layoutTrie(root, [[1], []], { leaves: true })).toThrow(/candidate 1 has no tokens/);
  });
});
