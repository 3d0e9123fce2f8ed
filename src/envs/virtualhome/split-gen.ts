// How the frozen splits were drawn. `splits.v1.json` holds the result; a test re-runs this and
// checks it still gives the same lists, so any change to scenes or templates that would move
// tasks between splits (or make a frozen task infeasible) is caught and forces a new version.
//
//   train        seen templates x seen families (apt0-apt4), scene variants 0-999, 30 per template
//   seen-test    the same templates and families, variants 1000-1999 (new layouts), 247 tasks
//   unseen-test  247 tasks: half from held-out templates (any family, variants 2000+),
//                half from seen templates in held-out families apt5/apt6 (variants 3000+)
//
// SPA's VirtualHome splits are 247 seen and 247 unseen test tasks.

import { TEMPLATES } from './templates';
import { tryBuildTask, taskId } from './tasks';

export const SEEN_FAMILIES = ['apt0', 'apt1', 'apt2', 'apt3', 'apt4'];
export const UNSEEN_FAMILIES = ['apt5', 'apt6'];
export const ALL_FAMILIES = [...SEEN_FAMILIES, ...UNSEEN_FAMILIES];
export const TRAIN_PER_TEMPLATE = 30;
export const TEST_SIZE = 247;

export interface SplitLists {
  version: number;
  train: string[];
  'seen-test': string[];
  'unseen-test': string[];
}

function feasible(id: string): boolean {
  return tryBuildTask(id) !== null;
}

/** Round-robin over templates, each drawing its next feasible variant from `start` on. */
function roundRobin(templates: string[], families: string[], start: number, limit: number, total: number): string[] {
  const next = new Map(templates.map((t) => [t, start]));
  const out: string[] = [];
  const exhausted = new Set<string>();
  while (out.length < total && exhausted.size < templates.length) {
    for (const t of templates) {
      if (out.length >= total) break;
      if (exhausted.has(t)) continue;
      let v = next.get(t)!;
      let found = '';
      for (; v < start + limit; v++) {
        const id = taskId(t, families[v % families.length], v);
        if (feasible(id)) {
          found = id;
          v++;
          break;
        }
      }
      next.set(t, v);
      if (found) out.push(found);
      else exhausted.add(t);
    }
  }
  if (out.length < total) throw new Error(`virtualhome splits: only ${out.length} of ${total} tasks`);
  return out;
}

export function generateSplits(): SplitLists {
  const seen = TEMPLATES.filter((t) => !t.unseen).map((t) => t.id);
  const unseen = TEMPLATES.filter((t) => t.unseen).map((t) => t.id);
  const train: string[] = [];
  for (const t of seen) {
    let got = 0;
    for (let v = 0; v < 1000 && got < TRAIN_PER_TEMPLATE; v++) {
      const id = taskId(t, SEEN_FAMILIES[v % SEEN_FAMILIES.length], v);
      if (feasible(id)) {
        train.push(id);
        got++;
      }
    }
  }
  const seenTest = roundRobin(seen, SEEN_FAMILIES, 1000, 1000, TEST_SIZE);
  const half = Math.ceil(TEST_SIZE / 2);
  const unseenTest = [
    ...roundRobin(unseen, ALL_FAMILIES, 2000, 1000, half),
    ...roundRobin(seen, UNSEEN_FAMILIES, 3000, 1000, TEST_SIZE - half),
  ];
  return { version: 1, train, 'seen-test': seenTest, 'unseen-test': unseenTest };
}
