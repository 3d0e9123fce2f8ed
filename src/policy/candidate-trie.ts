// Lays out the candidates of one context as a token trie in a single row, for graphs with range
// attention (onnx-decoder-writer.ts): candidates that share leading tokens ("go to cabinet 1",
// "go to cabinet 2") run those tokens once.
//
// The row is a depth-first walk of the trie rooted at the context's last token. Each token's
// token_logprobs value scores the token that follows it in the row, so a node with several
// children is written again (a copy: same token, same position) right before each child after
// the first. Every written token is visible from its own index up to the index before the next
// copy of the same node, or to the end of its subtree: each token then sees exactly one copy of
// each of its ancestors and itself, which is what it would see in its own candidate's row.
//
//   candidates "a b", "a c" after context token r:   row   r  a  b  a' c
//                                                    depth 0  1  2  1  2
//   a is visible to b only, its copy a' to c; r to all of them.

/** One candidate's place in the row. */
export interface TriePath {
  /** Per candidate token t: the row index whose token_logprobs value scores it (its parent's copy). */
  predictor: number[];
  /** Per candidate token t: a row index holding its node (for hidden states; every copy is the same). */
  at: number[];
}

export interface TrieLayout {
  /** Row tokens, the root (the context's last token) first. */
  tokens: number[];
  /** Per row token: its depth (root 0), so its position is the context's last position + depth. */
  depth: number[];
  /** Per row token: the last row index that may attend to it (inclusive). */
  visibleUntil: number[];
  /** Per candidate, in the given order (identical candidates share their nodes). */
  paths: TriePath[];
}

interface TrieNode {
  token: number;
  children: TrieNode[];
  /** Row indices of this node's copies, in order. */
  copies: number[];
}

function lexCompare(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The trie layout of `candidates` (each a non-empty token list) under `root`. */
export function layoutTrie(root: number, candidates: number[][]): TrieLayout {
  const top: TrieNode = { token: root, children: [], copies: [] };
  // Children in lexicographic order of their candidates keeps the layout independent of the input order.
  const order = candidates.map((_, i) => i).sort((x, y) => lexCompare(candidates[x], candidates[y]));
  const leafPath = new Map<number, TrieNode[]>();
  for (const c of order) {
    if (!candidates[c].length) throw new RangeError(`candidate ${c} has no tokens`);
    let node = top;
    const path: TrieNode[] = [];
    for (const tok of candidates[c]) {
      let next = node.children.find((ch) => ch.token === tok);
      if (!next) {
        next = { token: tok, children: [], copies: [] };
        node.children.push(next);
      }
      path.push(next);
      node = next;
    }
    leafPath.set(c, path);
  }

  const tokens: number[] = [];
  const depth: number[] = [];
  const visibleUntil: number[] = [];
  const write = (node: TrieNode, d: number): number => {
    node.copies.push(tokens.length);
    tokens.push(node.token);
    depth.push(d);
    visibleUntil.push(-1);
    return tokens.length - 1;
  };
  // Iterative depth-first walk (candidates can be long): a frame per node and its next child.
  const walk = (start: TrieNode): void => {
    const stack: Array<{ node: TrieNode; d: number; next: number; copy: number }> = [{ node: start, d: 0, next: 0, copy: write(start, 0) }];
    while (stack.length) {
      const f = stack[stack.length - 1];
      if (f.next < f.node.children.length) {
        if (f.next > 0) {
          // The previous copy is seen up to here; a fresh copy scores the next child.
          visibleUntil[f.copy] = tokens.length - 1;
          f.copy = write(f.node, f.d);
        }
        const child = f.node.children[f.next++];
        stack.push({ node: child, d: f.d + 1, next: 0, copy: write(child, f.d + 1) });
      } else {
        visibleUntil[f.copy] = tokens.length - 1;
        stack.pop();
      }
    }
  };
  walk(top);

  const paths = candidates.map((_, c) => {
    const nodes = leafPath.get(c)!;
    const predictor: number[] = [];
    const at: number[] = [];
    let parent = top;
    for (const node of nodes) {
      // The parent's copy written right before this child's subtree.
      const childIndex = parent.children.indexOf(node);
      predictor.push(parent.copies[childIndex]);
      at.push(node.copies[0]);
      parent = node;
    }
    return { predictor, at };
  });
  return { tokens, depth, visibleUntil, paths };
}
