// Trajectories as conversations, and the three chat-shaped formats built on them.
//
// The conversation follows SPA-RL's processed exploration data (prm/data_org.py): an instruction
// (human), "OK" (gpt), then the first observation (human), and per step the action (gpt) and the
// observation that followed it (human). The last action has no observation after it. An action
// turn reads "Action: <text>", the ReAct form the released code parses.
//
// - SPA-RL JSON: [{id, iteration, conversations, agent_final_reward, success, turn_values?}]. id is
//   the task id (the released code groups rollouts by it), iteration the rollout's ordinal within
//   its task, turn_values one value per gpt turn, the "OK" turn included (0 here: it is no step).
// - ShareGPT: [{id, conversations}], id the trajectory id.
// - verl rollout JSONL: one object per line, {input, output, gts, score, step, data_source, uid,
//   messages}, with messages in role/content form and input/output the first user message and the
//   rest as text.
// All three carry the "stepwise" extension (extension.ts) so that a re-import is lossless.

import * as v from 'valibot';
import type { Trajectory } from '../../rl/trajectory';
import { actionText } from '../../rl/trajectory';
import { fromExt, progressOf, toExt, TRAJ_EXT, type TrajExt } from './extension';

export interface Turn { from: 'human' | 'gpt'; value: string }

export function instructionFor(env: string): string {
  return `Interact with the ${env} environment to solve the task. At each turn, answer with one admissible action as "Action: <action>".`;
}

const ACTION_PREFIX = 'Action: ';

export function toConversation(t: Trajectory): Turn[] {
  const turns: Turn[] = [{ from: 'human', value: instructionFor(t.env) }, { from: 'gpt', value: 'OK' }];
  for (const s of t.steps) {
    turns.push({ from: 'human', value: s.observation });
    turns.push({ from: 'gpt', value: ACTION_PREFIX + actionText(s) });
  }
  return turns;
}

/** The action in a gpt turn: the text after "Action:" on its line, or the whole turn. */
export function parseAction(value: string): string {
  const m = /Action:\s?(.*)/.exec(value);
  return (m ? m[1] : value).trim();
}

/** Observations and actions of a conversation; throws a message saying which turn is out of place. */
export function fromConversation(turns: readonly Turn[]): { observations: string[]; actions: string[] } {
  let i = turns.length >= 2 && turns[1].from === 'gpt' && turns[1].value.trim() === 'OK' ? 2 : 0;
  const observations: string[] = [], actions: string[] = [];
  for (; i < turns.length; i += 2) {
    if (turns[i].from !== 'human') throw new Error(`conversations[${i}] should be from human (an observation), got ${turns[i].from}`);
    if (i + 1 === turns.length) break; // a trailing observation after the last action
    if (turns[i + 1].from !== 'gpt') throw new Error(`conversations[${i + 1}] should be from gpt (an action), got ${turns[i + 1].from}`);
    observations.push(turns[i].value);
    actions.push(parseAction(turns[i + 1].value));
  }
  if (actions.length === 0) throw new Error('conversations hold no action (no gpt turn after an observation)');
  return { observations, actions };
}

/**
 * A trajectory from a conversation: with the extension, checked against it; without, the way the
 * released SPA-RL code reads its own data (valid unless the next observation says "Nothing
 * happens", R on the last step) and with the one action taken as the only candidate.
 */
export function trajectoryFrom(turns: readonly Turn[], info: {
  ext?: TrajExt; id: string; taskId: string; finalReward: number; won: boolean; progress?: number[];
}): Trajectory {
  const { observations, actions } = fromConversation(turns);
  const T = actions.length;
  if (info.progress && info.progress.length !== T) {
    throw new Error(`turn_values has ${info.progress.length} values for ${T} steps (or ${T + 1} with the "OK" turn)`);
  }
  if (info.ext) {
    const ext = info.ext;
    if (ext.final_reward !== info.finalReward) throw new Error(`the final reward ${info.finalReward} differs from stepwise.final_reward ${ext.final_reward}`);
    if (ext.steps.length !== T) throw new Error(`stepwise.steps has ${ext.steps.length} steps but the conversation has ${T} actions`);
    ext.steps.forEach((s, k) => {
      const chosen = s.admissible[s.action];
      if (chosen !== actions[k]) throw new Error(`step ${k}: the conversation's action "${actions[k]}" is not stepwise.steps[${k}]'s chosen candidate "${chosen}"`);
    });
    return fromExt(ext, observations, info.finalReward, info.progress);
  }
  const steps = actions.map((a, k) => {
    const last = k === T - 1;
    const rec: Trajectory['steps'][number] = {
      observation: observations[k], admissible: [a], action: 0, logpOld: 0, probs: [1], value: 0,
      valid: last || !/nothing happens/i.test(observations[k + 1]),
      reward: last ? info.finalReward : 0, done: last, won: last && info.won, stateKey: observations[k],
    };
    if (info.progress) rec.progress = info.progress[k];
    return rec;
  });
  return { id: info.id, env: 'imported', taskId: info.taskId, seed: 0, iteration: 0, goal: observations[0], steps, finalReward: info.finalReward, won: info.won };
}

// ---- schemas of the three formats -------------------------------------------------------------------

const TURN = v.strictObject({ from: v.picklist(['human', 'gpt']), value: v.string() });
const CONVERSATIONS = v.pipe(v.array(TURN), v.minLength(2));
const finite = v.pipe(v.number(), v.finite());

export const SPA_ITEM = v.object({
  id: v.union([v.string(), v.number()]),
  iteration: v.optional(v.union([v.string(), v.number()])),
  conversations: CONVERSATIONS,
  agent_final_reward: finite,
  success: v.optional(v.union([v.boolean(), v.picklist([0, 1])])),
  turn_values: v.optional(v.array(finite)),
  stepwise: v.optional(TRAJ_EXT),
});
export const SHAREGPT_ITEM = v.object({
  id: v.union([v.string(), v.number()]),
  conversations: CONVERSATIONS,
  stepwise: v.optional(TRAJ_EXT),
});
const MESSAGE = v.object({ role: v.picklist(['system', 'user', 'assistant']), content: v.string() });
export const VERL_LINE = v.object({
  input: v.string(),
  output: v.string(),
  gts: v.optional(v.unknown()),
  score: finite,
  step: v.optional(v.number()),
  data_source: v.optional(v.string()),
  uid: v.optional(v.string()),
  messages: v.pipe(v.array(MESSAGE), v.minLength(2)),
  stepwise: v.optional(TRAJ_EXT),
});

export type SpaItem = v.InferOutput<typeof SPA_ITEM>;
export type ShareGptItem = v.InferOutput<typeof SHAREGPT_ITEM>;
export type VerlLine = v.InferOutput<typeof VERL_LINE>;

// ---- export ------------------------------------------------------------------------------------------

export function toSpa(trajs: readonly Trajectory[]): SpaItem[] {
  const ordinal = new Map<string, number>();
  return trajs.map((t) => {
    const k = ordinal.get(t.taskId) ?? 0;
    ordinal.set(t.taskId, k + 1);
    const item: SpaItem = { id: t.taskId, iteration: k, conversations: toConversation(t), agent_final_reward: t.finalReward, success: t.won };
    const progress = progressOf(t);
    if (progress) item.turn_values = [0, ...progress];
    item.stepwise = toExt(t);
    return item;
  });
}

export function toShareGpt(trajs: readonly Trajectory[]): ShareGptItem[] {
  return trajs.map((t) => ({ id: t.id, conversations: toConversation(t), stepwise: toExt(t) }));
}

const ROLE = { human: 'user', gpt: 'assistant' } as const;

export function toVerl(t: Trajectory): VerlLine {
  const turns = toConversation(t);
  const messages = [
    { role: 'system' as const, content: turns[0].value },
    ...turns.slice(2).map((m) => ({ role: ROLE[m.from], content: m.value })),
  ];
  return {
    input: messages[1].content,
    output: messages.slice(2).map((m) => `${m.role}: ${m.content}`).join('\n'),
    gts: t.taskId,
    score: t.finalReward,
    step: t.iteration,
    data_source: t.env,
    uid: t.id,
    messages,
    stepwise: toExt(t),
  };
}

// ---- import (after schema validation) -------------------------------------------------------------

export function fromSpa(item: SpaItem): Trajectory {
  let progress = item.turn_values;
  if (progress) {
    const T = fromConversation(item.conversations).actions.length;
    if (progress.length === T + 1) progress = progress.slice(1);
  }
  const won = item.success === undefined ? item.agent_final_reward === 1 : Boolean(item.success);
  return trajectoryFrom(item.conversations, {
    ext: item.stepwise, id: `${item.id}#${item.iteration ?? 0}`, taskId: String(item.id), finalReward: item.agent_final_reward, won, progress,
  });
}

export function fromShareGpt(item: ShareGptItem): Trajectory {
  // ShareGPT carries no reward; without the extension the trajectory imports unrewarded.
  const R = item.stepwise?.final_reward ?? 0;
  return trajectoryFrom(item.conversations, { ext: item.stepwise, id: String(item.id), taskId: String(item.id), finalReward: R, won: item.stepwise?.won ?? false });
}

export function fromVerl(line: VerlLine): Trajectory {
  const turns: Turn[] = [];
  for (const m of line.messages) {
    if (m.role === 'system') continue;
    turns.push({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content });
  }
  const id = line.uid ?? (typeof line.gts === 'string' ? line.gts : 'verl');
  return trajectoryFrom(turns, { ext: line.stepwise, id, taskId: typeof line.gts === 'string' ? line.gts : id, finalReward: line.score, won: line.score === 1 });
}
