// Command strings for one task, built once and shared by every episode of that task. The
// admissible list is then assembled from these without concatenating anything in the hot path.

import type { TaskDef } from './generate';

export interface Phrases {
  /** Every "go to X", sorted by the string itself (so "cabinet 10" sorts before "cabinet 2"). */
  goToSorted: string[];
  /** goToSorted without the receptacle the agent stands at; index = location + 1 (0 = middle of room). */
  goToExcluding: (string[] | undefined)[];
  goTo: string[];
  open: string[];
  close: string[];
  examineRec: string[];
  examineObj: string[];
  use: string[];
  /** "take o from r", "put o in/on r", "heat/clean/cool o with r", filled on first use (index o * nRec + r). */
  take: (string | undefined)[];
  put: (string | undefined)[];
  heat: (string | undefined)[];
  clean: (string | undefined)[];
  cool: (string | undefined)[];
  /** "a apple 1" */
  withArticle: string[];
}

const cache = new WeakMap<TaskDef, Phrases>();

export function phrasesFor(def: TaskDef): Phrases {
  const hit = cache.get(def);
  if (hit) return hit;
  const goTo = def.recName.map((n) => 'go to ' + n);
  const goToSorted = goTo.slice().sort();
  const pairs = def.nObj * def.nRec;
  const p: Phrases = {
    goToSorted,
    goToExcluding: new Array(def.nRec + 1),
    goTo,
    open: def.recName.map((n) => 'open ' + n),
    close: def.recName.map((n) => 'close ' + n),
    examineRec: def.recName.map((n) => 'examine ' + n),
    examineObj: def.objName.map((n) => 'examine ' + n),
    use: def.objName.map((n) => 'use ' + n),
    take: new Array(pairs),
    put: new Array(pairs),
    heat: new Array(pairs),
    clean: new Array(pairs),
    cool: new Array(pairs),
    withArticle: def.objName.map((n) => 'a ' + n),
  };
  p.goToExcluding[0] = goToSorted;
  cache.set(def, p);
  return p;
}

export function goToExcluding(p: Phrases, loc: number): string[] {
  const hit = p.goToExcluding[loc + 1];
  if (hit) return hit;
  const skip = p.goTo[loc];
  const list = p.goToSorted.filter((s) => s !== skip);
  p.goToExcluding[loc + 1] = list;
  return list;
}
