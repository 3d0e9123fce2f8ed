// WebShop's action parser: `re.match(r'(.+)\[(.+)\]', action)` in engine.py::parse_action.
// Python's "." stops at "\n" only; the match is anchored at the start but not at the end, and
// both groups are greedy. So the name runs to the LAST "[" that still has a "]" at least two
// characters later on the first line, and the argument runs to the last "]" of that line:
//   "search[red shoes] please" -> ("search", "red shoes")
//   "click[a[b]c]"            -> ("click[a", "b]c")
// Computed directly in O(n), so a long hostile string cannot make a backtracking regex crawl.

export function parseAction(action: string): { name: string; arg: string } | null {
  const nl = action.indexOf('\n');
  const line = nl < 0 ? action : action.slice(0, nl);
  const close = line.lastIndexOf(']');
  if (close < 2) return null;
  const open = line.lastIndexOf('[', close - 2);
  if (open < 1) return null;
  return { name: line.slice(0, open), arg: line.slice(open + 1, close) };
}
