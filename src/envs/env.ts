// The environment contract (DESIGN.md §5). Every text world in Stepwise implements it, and
// everything above this layer (rollouts, the playground, the CLI) sees only this interface.

/** A split is a frozen, versioned list of task seeds. */
export type SplitName = 'train' | 'seen-test' | 'unseen-test' | 'test';

export interface Observation {
  /** What the agent reads this step, exactly as the environment prints it. */
  text: string;
  /** The task sentence, e.g. "Your task is to: put a clean mug in coffeemachine." */
  goal: string;
}

export interface StepResult {
  observation: Observation;
  /** Final reward R in [0, 1]; non-zero only when `done`, except where an env documents otherwise. */
  reward: number;
  done: boolean;
  /**
   * True on the step that ends the episode with the task accomplished, false on every other
   * step (failures, truncation, and steps sent after the end). Each environment decides it in
   * one place; everything above reads it here rather than re-deriving it from the reward.
   */
  won: boolean;
  /** g_t: false when the action had no effect in the world ("Nothing happens." or the env's equivalent). */
  valid: boolean;
  /** Environment-specific extras (e.g. WebShop's reward sub-scores). Must be structured-cloneable. */
  info: Record<string, unknown>;
}

export interface Env {
  /** Name in the registry, e.g. "household". */
  readonly name: string;
  /** Content version: grammar, generator and split versions. Changes whenever transcripts would. */
  readonly version: string;
  /** Deterministic in (taskId, seed). */
  reset(taskId: string, seed: number): Observation;
  /** Never throws on a bad action string: returns the env's own invalid text with valid=false. */
  step(action: string): StepResult;
  admissibleActions(): string[];
  /**
   * Well-formed but ineffective commands: strings of this env's own grammar, over entities the
   * agent has already met (named in the goal or shown in an observation so far), that are NOT
   * admissible now, so stepping one gives valid=false. These are the mistakes an LLM agent that
   * writes its actions freely makes (take an object from the wrong receptacle, put without
   * holding, heat away from the microwave, click an item that is not on the page), and the
   * rollout engine mixes a few into each decision's candidates so that g_t carries information
   * (with admissible actions alone every chosen action is valid by construction).
   *
   * Contract: deterministic given the episode so far (same task, seed and actions, same list);
   * sorted, no duplicates, disjoint from admissibleActions(); stepping one leaves the world as it
   * was (stateKey unchanged, except where an env documents a bookkeeping field, e.g.
   * virtualhome's name bindings); empty once the episode is over. Optional: an env without it
   * offers admissible candidates only.
   */
  plausibleActions?(): string[];
  /** Identical states give identical keys (GiGPO's step groups). */
  stateKey(): string;
  /** The next expert action, or null when the expert has nothing to do (episode over). */
  expert(): string | null;
}

/** A task within a split: the id passed to `reset`, plus a human label for pickers. */
export interface TaskRef {
  id: string;
  label: string;
}

/** What the registry knows about each environment without instantiating an episode. */
export interface EnvSpec {
  name: string;
  version: string;
  description: string;
  maxSteps: number;
  splits: Partial<Record<SplitName, number>>;
  /** The i-th task of a split (0-based). Throws RangeError with the valid range when out of range. */
  task(split: SplitName, index: number): TaskRef;
  create(): Env;
}
