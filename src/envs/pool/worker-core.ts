// The body of an env worker, independent of how messages arrive: it owns the environments of
// its slots and runs a batch of operations per request. Shared by the browser and Node entries.

import type { Env } from '../env';
import { getEnvSpec } from '../registry';
import type { Batch, Extras, Op, OpResult } from './protocol';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class WorkerCore {
  private envs = new Map<number, Env>();

  private envFor(slot: number, name: string): Env {
    const have = this.envs.get(slot);
    if (have && have.name === name) return have;
    const env = getEnvSpec(name).create();
    this.envs.set(slot, env);
    return env;
  }

  private extras(env: Env, want: Extras, out: OpResult & { ok: true }): void {
    if (want.admissible) out.admissible = env.admissibleActions();
    if (want.expert) out.expert = env.expert();
    if (want.stateKey) out.stateKey = env.stateKey();
    if (want.plausible) out.plausible = env.plausibleActions?.() ?? [];
  }

  private run(op: Op, want: Extras): OpResult {
    switch (op.op) {
      case 'reset': {
        const env = this.envFor(op.slot, op.env);
        const observation = env.reset(op.taskId, op.seed);
        const out: OpResult = { ok: true, observation };
        this.extras(env, want, out);
        return out;
      }
      case 'step': {
        const env = this.envs.get(op.slot);
        if (!env) return { ok: false, error: `slot ${op.slot} has no environment; reset it first` };
        const result = env.step(op.action);
        const out: OpResult = { ok: true, result };
        this.extras(env, want, out);
        return out;
      }
      case 'replay': {
        const env = this.envFor(op.slot, op.env);
        let lastText = env.reset(op.taskId, op.seed).text;
        for (const a of op.actions) lastText = env.step(a).observation.text;
        const out: OpResult = { ok: true, lastText };
        this.extras(env, want, out);
        return out;
      }
      case 'crash':
        setTimeout(() => {
          throw new Error('env worker: crash requested');
        }, 0);
        return { ok: true };
    }
  }

  handle(batch: Batch): OpResult[] {
    const results: OpResult[] = new Array(batch.ops.length);
    for (let i = 0; i < batch.ops.length; i++) {
      try {
        results[i] = this.run(batch.ops[i], batch.want);
      } catch (e) {
        results[i] = { ok: false, error: message(e) };
      }
    }
    return results;
  }
}
