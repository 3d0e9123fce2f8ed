// The environments a rollout steps: anything with the env pool's batch call. The pool (env
// workers) is what runs in the trainer; InlineEnvs steps the same slots in this thread, for tests
// and for measuring the scoring path without worker messages.

import type { Env } from '../envs/env';
import type { Extras, SlotOp, SlotOutcome } from '../envs/pool/index';
import { getEnvSpec } from '../envs/registry';

export interface EnvBatcher {
  readonly slots: number;
  /** One entry per slot: reset, step or nothing; resolves with one outcome per slot. */
  batch(items: readonly SlotOp[], want?: Extras): Promise<SlotOutcome[]>;
}

/** Environment slots in this thread, with the pool's batch semantics. */
export class InlineEnvs implements EnvBatcher {
  private readonly envs: (Env | null)[];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
    this.envs = new Array(slots).fill(null);
  }

  async batch(items: readonly SlotOp[], want: Extras = {}): Promise<SlotOutcome[]> {
    if (items.length !== this.slots) throw new RangeError(`expected one entry per slot (${this.slots}), got ${items.length}`);
    return items.map((op, slot) => {
      if (op === null) return null;
      if ('reset' in op) {
        const env = getEnvSpec(op.reset.env).create();
        this.envs[slot] = env;
        const observation = env.reset(op.reset.taskId, op.reset.seed);
        return { kind: 'reset' as const, observation, ...extras(env, want) };
      }
      const env = this.envs[slot];
      if (!env) throw new RangeError(`slot ${slot} has no episode; reset it first`);
      return { kind: 'step' as const, ...env.step(op.step), ...extras(env, want) };
    });
  }
}

function extras(env: Env, want: Extras): { admissible?: string[]; expert?: string | null; stateKey?: string; plausible?: string[] } {
  return {
    ...(want.plausible ? { plausible: env.plausibleActions?.() ?? [] } : {}),
    ...(want.admissible ? { admissible: env.admissibleActions() } : {}),
    ...(want.expert ? { expert: env.expert() } : {}),
    ...(want.stateKey ? { stateKey: env.stateKey() } : {}),
  };
}
