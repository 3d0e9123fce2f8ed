// Per-step JSONL, in the canonical schema of the research notes (anchors.md §5): one header line
// per trajectory (final reward, checkpoint id), then one line per step with the snake_case fields
// run_id, traj_id, task_id, env, env_version, seed, step, observation, admissible_actions,
// llm_output, action, is_action_valid, reward_env, done, won, state_key, progress_pred,
// grounding, reward_total, logprob_old, value, advantage, ratio, clipped. Added so the file is
// lossless: type ("trajectory" | "step"), action_index and probs on steps; iteration and goal on
// headers. Training-time values that are no part of the trajectory record (reward_total,
// advantage, ratio, clipped) come from an optional annotator and are null otherwise; import
// reads them back as nothing.

import * as v from 'valibot';
import type { StepRecord, Trajectory } from '../../rl/trajectory';
import { actionText } from '../../rl/trajectory';

export interface StepAnnotation {
  reward_total?: number;
  advantage?: number;
  ratio?: number;
  clipped?: boolean;
}
export type StepAnnotator = (t: Trajectory, step: number) => StepAnnotation | undefined;

const int = v.pipe(v.number(), v.integer());
const finite = v.pipe(v.number(), v.finite());
const nullableNumber = v.nullable(finite);

const HEADER = v.object({
  type: v.literal('trajectory'),
  run_id: v.nullable(v.string()),
  traj_id: v.pipe(v.string(), v.minLength(1)),
  task_id: v.string(),
  env: v.string(),
  env_version: v.nullable(v.string()),
  seed: int,
  iteration: v.pipe(int, v.minValue(0)),
  goal: v.string(),
  final_reward: finite,
  won: v.boolean(),
  bootstrap_value: nullableNumber,
  checkpoint: v.nullable(v.string()),
  steps: v.pipe(int, v.minValue(1)),
});

const STEP = v.object({
  type: v.literal('step'),
  traj_id: v.string(),
  step: v.pipe(int, v.minValue(0)),
  observation: v.string(),
  admissible_actions: v.pipe(v.array(v.string()), v.minLength(1)),
  llm_output: v.string(),
  action: v.string(),
  action_index: v.pipe(int, v.minValue(0)),
  probs: v.array(finite),
  is_action_valid: v.boolean(),
  reward_env: finite,
  done: v.boolean(),
  won: v.boolean(),
  state_key: v.string(),
  progress_pred: nullableNumber,
  logprob_old: finite,
  value: finite,
});

export function toStepsJsonl(trajs: readonly Trajectory[], opts: { runId?: string; annotate?: StepAnnotator } = {}): string {
  const lines: string[] = [];
  const runId = opts.runId ?? null;
  for (const t of trajs) {
    lines.push(JSON.stringify({
      type: 'trajectory', run_id: runId, traj_id: t.id, task_id: t.taskId, env: t.env, env_version: t.envVersion ?? null, seed: t.seed,
      iteration: t.iteration, goal: t.goal, final_reward: t.finalReward, won: t.won, bootstrap_value: t.bootstrapValue ?? null,
      checkpoint: t.checkpoint ?? null, steps: t.steps.length,
    }));
    t.steps.forEach((s, i) => {
      const a = opts.annotate?.(t, i) ?? {};
      lines.push(JSON.stringify({
        type: 'step', run_id: runId, traj_id: t.id, task_id: t.taskId, env: t.env, env_version: t.envVersion ?? null, seed: t.seed, step: i,
        observation: s.observation, admissible_actions: s.admissible, llm_output: actionText(s), action: actionText(s), action_index: s.action,
        probs: s.probs, is_action_valid: s.valid, reward_env: s.reward, done: s.done, won: s.won, state_key: s.stateKey,
        progress_pred: s.progress ?? null, grounding: s.valid ? 1 : 0, reward_total: a.reward_total ?? null, logprob_old: s.logpOld, value: s.value,
        advantage: a.advantage ?? null, ratio: a.ratio ?? null, clipped: a.clipped ?? null,
      }));
    });
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Parses per-step JSONL; throws an Error whose message names the line and what is wrong there. */
export function fromStepsJsonl(text: string, issueText: (issues: readonly v.BaseIssue<unknown>[]) => string): Trajectory[] {
  const out: Trajectory[] = [];
  let open: { t: Trajectory; expected: number } | null = null;
  const close = (line: number) => {
    if (open && open.t.steps.length !== open.expected) {
      throw new Error(`line ${line}: trajectory ${open.t.id} ends after ${open.t.steps.length} of its ${open.expected} steps`);
    }
    open = null;
  };
  const rows = text.split('\n');
  for (let n = 1; n <= rows.length; n++) {
    const raw = rows[n - 1].trim();
    if (raw === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      throw new Error(`line ${n}: not JSON`);
    }
    const kind = (data as { type?: unknown } | null)?.type;
    if (kind === 'trajectory') {
      close(n);
      const h = v.safeParse(HEADER, data);
      if (!h.success) throw new Error(`line ${n} (trajectory header): ${issueText(h.issues)}`);
      const o = h.output;
      const t: Trajectory = { id: o.traj_id, env: o.env, taskId: o.task_id, seed: o.seed, iteration: o.iteration, goal: o.goal, steps: [], finalReward: o.final_reward, won: o.won };
      if (o.env_version !== null) t.envVersion = o.env_version;
      if (o.bootstrap_value !== null) t.bootstrapValue = o.bootstrap_value;
      if (o.checkpoint !== null) t.checkpoint = o.checkpoint;
      out.push(t);
      open = { t, expected: o.steps };
    } else if (kind === 'step') {
      const p = v.safeParse(STEP, data);
      if (!p.success) throw new Error(`line ${n} (step): ${issueText(p.issues)}`);
      const s = p.output;
      const cur = open as { t: Trajectory; expected: number } | null;
      if (!cur || s.traj_id !== cur.t.id) throw new Error(`line ${n}: step of trajectory ${s.traj_id} without its header line before it`);
      if (s.step !== cur.t.steps.length) throw new Error(`line ${n}: step ${s.step} of trajectory ${s.traj_id}, expected step ${cur.t.steps.length}`);
      if (cur.t.steps.length === cur.expected) throw new Error(`line ${n}: trajectory ${s.traj_id} has more than the ${cur.expected} steps its header says`);
      if (s.admissible_actions[s.action_index] !== s.action) {
        throw new Error(`line ${n}: action "${s.action}" is not admissible_actions[${s.action_index}] ("${s.admissible_actions[s.action_index] ?? 'out of range'}")`);
      }
      const rec: StepRecord = {
        observation: s.observation, admissible: s.admissible_actions, action: s.action_index, logpOld: s.logprob_old, probs: s.probs,
        value: s.value, valid: s.is_action_valid, reward: s.reward_env, done: s.done, won: s.won, stateKey: s.state_key,
      };
      if (s.progress_pred !== null) rec.progress = s.progress_pred;
      cur.t.steps.push(rec);
    } else {
      throw new Error(`line ${n}: "type" must be "trajectory" or "step", got ${JSON.stringify(kind)}`);
    }
  }
  close(rows.length);
  return out;
}
