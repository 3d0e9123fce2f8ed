// Small hand-built trajectories for the rl and run tests: only the fields a case cares about are
// given, the rest get plain, valid values.

import type { StepRecord, Trajectory } from './trajectory';

export interface StepSpec {
  valid?: boolean;
  reward?: number;
  progress?: number;
  key?: string;
  value?: number;
  observation?: string;
  admissible?: string[];
  action?: number;
}

export function step(s: StepSpec = {}, last = false, won = false): StepRecord {
  const admissible = s.admissible ?? ['look', 'go to desk 1', 'open drawer 1'];
  const action = s.action ?? 1;
  const probs = admissible.map((_, i) => (i === action ? 0.5 : 0.5 / (admissible.length - 1)));
  const rec: StepRecord = {
    observation: s.observation ?? 'You are in the middle of a room.',
    admissible,
    action,
    logpOld: Math.log(probs[action]),
    probs,
    value: s.value ?? 0,
    valid: s.valid ?? true,
    reward: s.reward ?? 0,
    done: last,
    won: last && won,
    stateKey: s.key ?? 'state',
  };
  if (s.progress !== undefined) rec.progress = s.progress;
  return rec;
}

/** A trajectory whose last step ends the episode; its env reward is R unless a step says otherwise. */
export function trajectory(id: string, taskId: string, R: number, specs: StepSpec[], extra: Partial<Trajectory> = {}): Trajectory {
  const won = R === 1;
  const steps = specs.map((s, i) => {
    const last = i === specs.length - 1;
    return step({ ...s, reward: s.reward ?? (last ? R : 0) }, last, won);
  });
  return { id, env: 'household', taskId, seed: 7, iteration: 0, goal: 'Your task is to: put a mug in desk.', steps, finalReward: R, won, ...extra };
}
