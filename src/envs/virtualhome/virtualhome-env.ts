// The VirtualHome environment behind the Env contract (src/envs/env.ts), as SPA used it:
// the first observation is "The task is <title>(<description>)."; each step is one natural-language
// action run through the evolving-graph executor; a failed or unparsable action gives
// "Nothing happens." with valid=false; the episode ends when the goal predicates hold (reward 1)
// or after 40 steps (reward 0).
//
// The seed is accepted for the contract but changes nothing: a task id fixes the scene and the
// task completely, the way a VirtualHome program fixes its initial graph, so K rollouts of one
// task start from the same state (what GiGPO's step groups want).

import type { Env, Observation, StepResult } from '../env';
import { ActionStrings, admissibleActions } from './admissible';
import { execute, type StepOutcome } from './executor';
import { expertAction, makePlan, type Plan } from './expert';
import { goalMet } from './goal';
import { parseAction, type ParsedAction } from './grammar';
import { N_CLASSES } from './catalog';
import { plausibleActions } from './plausible';
import { describe, reachable } from './observe';
import { getTask, type Task } from './tasks';
import { World } from './world';

export const MAX_STEPS = 40;
export const NOTHING_HAPPENS = 'Nothing happens.';
/** Bump a part whenever transcripts could change: grammar, scene generator, templates, splits. */
export const VIRTUALHOME_VERSION = 'virtualhome/1.0 grammar=spa-vh42 executor=1 scenes=1 templates=1 splits=1';

const parseCache = new Map<string, ParsedAction | null>();

function parseCached(action: string): ParsedAction | null {
  let p = parseCache.get(action);
  if (p === undefined) {
    // No command is anywhere near this long; don't let junk grow the cache or the regexes' work.
    if (action.length > 256) {
      const t = action.trim();
      return t.length > 256 ? null : parseAction(t);
    }
    if (parseCache.size >= 8192) parseCache.clear();
    p = parseAction(action);
    parseCache.set(action, p);
  }
  return p;
}

const plans = new WeakMap<Task, Plan>();
function planFor(task: Task): Plan {
  let p = plans.get(task);
  if (!p) plans.set(task, (p = makePlan(task.init, task.goal)));
  return p;
}

export class VirtualHomeEnv implements Env {
  readonly name = 'virtualhome';
  readonly version = VIRTUALHOME_VERSION;
  readonly maxSteps: number;

  private task: Task | null = null;
  private world: World | null = null;
  private steps = 0;
  private done = false;
  private won = false;
  private mark = new Uint32Array(0);
  private near: number[] | null = null;
  private readonly strings = new ActionStrings();
  /** Per class id: the agent has met it (the task's own objects, or shown by an observation). */
  private readonly met = new Uint8Array(N_CLASSES);
  /** Per class id: one of the task's own objects (its program's names). */
  private readonly named = new Uint8Array(N_CLASSES);
  private readonly outcome: StepOutcome = { valid: false, program: null, reason: null };

  constructor(maxSteps = MAX_STEPS) {
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`virtualhome: maxSteps must be a positive integer, got ${maxSteps}`);
    this.maxSteps = maxSteps;
  }

  reset(taskId: string, seed: number): Observation {
    if (typeof seed !== 'number' || Number.isNaN(seed)) throw new TypeError(`virtualhome: seed must be a number, got ${String(seed)}`);
    const task = getTask(taskId);
    if (!this.world || this.world.g !== task.init.g) {
      this.world = new World(task.init.g);
      this.mark = new Uint32Array(this.world.W);
    }
    this.world.copyFrom(task.init);
    this.world.bind.set(task.bindings);
    this.task = task;
    this.steps = 0;
    this.done = false;
    this.won = false;
    this.near = null;
    for (let c = 0; c < N_CLASSES; c++) this.named[c] = task.bindings[c] >= 0 ? 1 : 0;
    this.met.set(this.named);
    return { text: task.sentence, goal: task.sentence };
  }

  private live(): { task: Task; world: World } {
    if (!this.task || !this.world) throw new Error('virtualhome: call reset() before using the environment');
    return { task: this.task, world: this.world };
  }

  private reach(world: World): number[] {
    if (this.near === null) this.near = reachable(world, this.mark);
    return this.near;
  }

  step(action: string): StepResult {
    const { task, world } = this.live();
    const goal = task.sentence;
    if (this.done) {
      return {
        observation: { text: NOTHING_HAPPENS, goal }, reward: 0, done: true, valid: false, won: false,
        info: { steps: this.steps, program: null, reason: 'the episode is over' },
      };
    }
    this.steps++;
    const pa = typeof action === 'string' ? parseCached(action) : null;
    const out = this.outcome;
    let valid = false;
    if (pa) {
      valid = execute(world, pa, out);
    } else {
      out.program = null;
      out.reason = 'the action does not parse';
    }
    let text = NOTHING_HAPPENS;
    if (valid) {
      this.near = null;
      const near = this.reach(world);
      text = describe(world, near, this.mark);
      for (const x of near) this.met[world.g.cls[x]] = 1;
      this.won = goalMet(world, task.goal);
    }
    this.done = this.won || this.steps >= this.maxSteps;
    return {
      observation: { text, goal },
      reward: this.won ? 1 : 0,
      done: this.done,
      valid,
      // The one success rule: the task's goal predicate holds after a valid action.
      won: this.won,
      info: { steps: this.steps, program: out.program, reason: valid ? null : out.reason },
    };
  }

  admissibleActions(): string[] {
    const { world } = this.live();
    if (this.done) return [];
    this.reach(world);
    return admissibleActions(world, this.mark, this.strings);
  }

  /**
   * Failing commands over the objects met so far (Env.plausibleActions; see plausible.ts).
   * Stepping one never changes the world, but like any failed action it may bind a name (SPA's
   * parser does), which stateKey includes; physicalKey() is the key without the names.
   */
  plausibleActions(): string[] {
    const { world } = this.live();
    if (this.done) return [];
    return plausibleActions(world, this.met, this.named, this.admissibleActions());
  }

  stateKey(): string {
    const { task, world } = this.live();
    return `${task.id}#${world.digest()}`;
  }

  /** stateKey without the name bindings: equal before and after any failed action. */
  physicalKey(): string {
    const { task, world } = this.live();
    return `${task.id}#${world.digest(false)}`;
  }

  expert(): string | null {
    const { task, world } = this.live();
    if (this.done) return null;
    return expertAction(world, planFor(task));
  }

  /** The task being played (for the CLI, the playground and tests). */
  currentTask(): Task | null {
    return this.task;
  }

  /** Steps taken in this episode. */
  stepCount(): number {
    return this.steps;
  }
}
