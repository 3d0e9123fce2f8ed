// A task is (template, scene): "watch_tv@apt2.0137". Building one generates the scene, lets the
// template set up and perform its reference program, and reads the goal off the graph the program
// leaves. Tasks are built on first use and cached.

import { diffGoal, goalIsEmpty, goalMet, type Goal } from './goal';
import { Infeasible, ProgramBuilder } from './program-builder';
import { FAMILIES, generateScene } from './scenes';
import { TEMPLATE_BY_ID, type Template } from './templates';
import type { World } from './world';

export interface Task {
  id: string;
  template: Template;
  /** "apt2.0137" */
  sceneKey: string;
  /** "The task is Watch TV(Turn on the television, sit on the sofa and watch TV)." */
  sentence: string;
  description: string;
  /** Initial graph, without name bindings. */
  init: World;
  /** SPA's `object_id_dict`: the program's names, bound at reset (class id -> node, -1 unbound). */
  bindings: Int16Array;
  goal: Goal;
  /** The reference program, as natural-language actions. */
  program: string[];
}

const ID_RE = /^([a-z_]+)@(apt\d+)\.(\d{4})$/;

export function taskId(template: string, family: string, variant: number): string {
  return `${template}@${family}.${String(variant).padStart(4, '0')}`;
}

export function parseTaskId(id: string): { template: Template; family: string; variant: number } {
  const m = ID_RE.exec(id);
  const template = m ? TEMPLATE_BY_ID.get(m[1]) : undefined;
  if (!m || !template || !FAMILIES[m[2]]) {
    throw new RangeError(`virtualhome: unknown task id "${id}" (expected <template>@<apt0..apt6>.<4 digits>)`);
  }
  return { template, family: m[2], variant: Number(m[3]) };
}

/** Build a task, or return null when its template does not fit its scene. */
export function tryBuildTask(id: string): Task | null {
  const { template, family, variant } = parseTaskId(id);
  const scene = generateScene(family, variant);
  const b = new ProgramBuilder(scene, `vh/task/${id}`);
  let description: string;
  try {
    description = template.build(b);
  } catch (e) {
    if (e instanceof Infeasible) return null;
    throw e;
  }
  const init = b.initial;
  if (!init || b.program.length === 0) return null;
  const goal = diffGoal(init, b.w);
  if (goalIsEmpty(goal) || goalMet(init, goal) || !goalMet(b.w, goal)) return null;
  return {
    id,
    template,
    sceneKey: scene.key,
    sentence: `The task is ${template.title}(${description}).`,
    description,
    init,
    bindings: b.w.bind.slice(),
    goal,
    program: b.program,
  };
}

// A task holds one graph (~20 KB for a hundred nodes); 512 of them stay well under 16 MB per worker.
const cache = new Map<string, Task>();
const CACHE_LIMIT = 512;

export function getTask(id: string): Task {
  const hit = cache.get(id);
  if (hit) {
    cache.delete(id); // most recently used goes last
    cache.set(id, hit);
    return hit;
  }
  const t = tryBuildTask(id);
  if (!t) throw new RangeError(`virtualhome: task "${id}" does not fit its scene (not in any split)`);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, t);
  return t;
}
