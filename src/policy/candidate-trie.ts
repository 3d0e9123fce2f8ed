// Lays out the candidates of one context as a token trie in a single row, for graphs with range
// attention (onnx-decoder-writer.ts): candidates that share leading tokens ("go to cabinet 1",
// "go to cabinet 2") run those tokens once.
//
// The row is a depth-first walk of the trie rooted at the context's last token; each node is
// visible from its own index to the end of its subtree, so it sees exactly its ancestors and
// itself, as in its own candidate's row. A candidate token is scored from its parent's logits
// (the row index `parent`), so tokens that are nobody's parent (leaves) need not be in the row
// at all unless their hidden states are wanted:
//
//   candidates "a b", "a c" after context token r:   row   r  a        (leaves b, c read from a)
//                                                    depth 0  1
//   with leaves:                                     row   r  a  b  c
//                                                    depth 0  1  2  2    (b visible to b only)

/** One candidate's place in the row. */
export interface TriePath {
  /** Per candidate token t: the row index whose logits predict it (its parent node). */
  parent: number[];
  /** Per candidate token t: its own node's row index, or -1 for a leaf left out of the row. */
  at: number[];
}

export interface TrieLayout {
  /** Row tokens, the root (the context's last token) first. */
  tokens: number[];
  /** Per row token: its depth (root 0), so its position is the context's last position + depth. */
  depth: number[];
  /** Per row token: the last row index that may attend to it (inclusive): its subtree's end. */
  visibleUntil: number[];
  /** Per candidate, in the given order (identical candidates share their nodes). */
  paths: TriePath[];
}

interface TrieNode {
  token: number;
  children: TrieNode[];
  /** Row index, or -1 when left out. */
  index: number;
}

/**
 * The trie layout of `candidates` (each a non-empty token list) under `root`. With `leaves`
 * false, nodes without children are left out of the row (their scores come from their parents).
 */
export function layoutTrie(root: number, candidates: number[][], options: { leaves: boolean }): TrieLayout {
  const top: TrieNode = { token: root, children: [], index: -1 };
  const pathOf: TrieNode[][] = candidates.map((ids, c) => {
    if (!ids.length) throw new RangeError(`candidate ${c} has no tokens`);
    let node = top;
    return ids.map((tok) => {
      let next = node.children.find((ch) => ch.token === tok);
      if (!next) {
        next = { token: tok, children: [], index: -1 };
        node.children.push(next);
      }
      node = next;
      return next;
    });
  });

  const tokens: number[] = [];
  const depth: number[] = [];
  const visibleUntil: number[] = [];
  // Iterative depth-first walk (candidates can be long); a node's range closes when it is popped.
  const stack: Array<{ node: TrieNode; d: number; next: number }> = [];
  const visit = (node: TrieNode, d: number): void => {
    if (!options.leaves && node.children.length === 0 && node !== top) return;
    node.index = tokens.length;
    tokens.push(node.token);
    depth.push(d);
    visibleUntil.push(-1);
    stack.push({ node, d, next: 0 });
  };
  visit(top, 0);
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.next < f.node.children.length) visit(f.node.children[f.next++], f.d + 1);
    else {
      visibleUntil[f.node.index] = tokens.length - 1;
      stack.pop();
    }
  }

  const paths = pathOf.map((nodes) => {
    const parent: number[] = [];
    const at: number[] = [];
    let p = top;
    for (const node of nodes) {
      parent.push(p.index);
      at.push(node.index);
      p = node;
    }
    return { parent, at };
  });
  return { tokens, depth, visibleUntil, paths };
}
