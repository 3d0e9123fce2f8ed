// Messages between the pool and its env workers, carried by the core worker transport. One
// request carries a whole batch of operations for the slots a worker hosts; its answer carries
// all their results.

import type { Observation, StepResult } from '../env';

/** What to send back after each reset or step, besides the observation. */
export interface Extras {
  admissible?: boolean;
  expert?: boolean;
  stateKey?: boolean;
  /** The env's plausibleActions() (empty for an env without them). */
  plausible?: boolean;
}

export type Op =
  | { op: 'reset'; slot: number; env: string; taskId: string; seed: number }
  | { op: 'step'; slot: number; action: string }
  /** Rebuild a slot after a restart: reset, then replay the logged actions. */
  | { op: 'replay'; slot: number; env: string; taskId: string; seed: number; actions: string[] }
  /**
   * Make the worker die from an uncaught error, as a bug in an environment would. Exists so tests
   * can show the pool recovering from a worker that fails on its own, not only from terminate().
   */
  | { op: 'crash'; slot: number };

export interface OpOk {
  ok: true;
  /** Set by reset. */
  observation?: Observation;
  /** Set by step. */
  result?: StepResult;
  /** Set by replay: the last observation text, to check that the replay reproduced the episode. */
  lastText?: string;
  admissible?: string[];
  expert?: string | null;
  stateKey?: string;
  plausible?: string[];
}
export interface OpError {
  ok: false;
  error: string;
}
export type OpResult = OpOk | OpError;

/** The env worker's one method: run a batch of operations, one result per operation, in order. */
export interface EnvProtocol {
  batch: { request: Batch; response: OpResult[] };
}

export interface Batch {
  ops: Op[];
  want: Extras;
}
