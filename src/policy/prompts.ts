// ReAct-style prompts, one instruction per environment. The agent sees the instruction, the task,
// the last k (observation, action) pairs and the current observation, optionally followed by the
// admissible actions. Actions are scored or generated without a "Thought:" line: the frozen
// backbone ranks candidate actions, and a thought would have to be generated before every score.
//
// Two renderings:
//  - chat models: system = instruction; user/assistant turns alternate observation/action; the
//    tokenizer's chat template turns them into text and the candidate is the assistant's reply,
//    closed by the template's end-of-turn marker;
//  - plain models: a transcript ending in "Action:", the candidate follows after a space and
//    is closed by a newline.
// In both cases the context ends at a pre-token boundary, so tokenising the context and the
// candidate separately gives the same tokens as tokenising their concatenation.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptStep {
  action: string;
  /** What the environment answered to `action`. */
  observation: string;
}

export interface PromptState {
  /** Environment name in the registry; selects the instruction. */
  env: string;
  /** The task sentence. */
  goal: string;
  /** The observation returned by reset(). */
  initialObservation: string;
  /** Every step so far, oldest first. Only the last `historyLength` are shown. */
  history: PromptStep[];
  admissible?: string[];
}

export interface PromptOptions {
  /** k: how many past (observation, action) pairs to show. */
  historyLength: number;
  /** List the admissible actions under the current observation. */
  showAdmissible: boolean;
  /** Cap on the listed actions (the list is cut, with a note saying how many were left out). */
  maxAdmissible?: number;
  /** Replaces the environment's instruction. */
  instruction?: string;
}

export const DEFAULT_PROMPT_OPTIONS: PromptOptions = { historyLength: 4, showAdmissible: true, maxAdmissible: 60 };

const INSTRUCTIONS: Record<string, string> = {
  household: [
    'You are an agent in a house made of text. Each turn you read what you see and reply with exactly one action.',
    'Actions: go to {receptacle}; open {receptacle}; close {receptacle}; take {object} from {receptacle};',
    'put {object} in/on {receptacle}; use {object}; heat {object} with {receptacle}; clean {object} with {receptacle};',
    'cool {object} with {receptacle}; examine {something}; look; inventory.',
    'Use the exact names you were shown, such as "desk 1". If an action is not possible, you will see "Nothing happens."',
  ].join(' '),
  webshop: [
    'You are shopping on a web store made of text. Find and buy the product that best matches the instruction.',
    'Reply with exactly one action: search[keywords] when a search box is shown, or click[button] where button is',
    'one of the clickable items on the page, written exactly as shown (for example click[Buy Now] or click[< Prev]).',
  ].join(' '),
  virtualhome: [
    'You are an agent in a home made of text, carrying out a household activity step by step.',
    'Reply with exactly one action, such as: walk to {room or object}; grab {object}; open {object}; close {object};',
    'put {object} on {object}; put {object} in {object}; switch on {object}; switch off {object}; sit on {object};',
    'look at {object}; turn to {object}; drink {object}. If an action is not possible, you will see "Nothing happens."',
  ].join(' '),
};

const GENERIC_INSTRUCTION =
  'You are an agent in a text environment. Each turn you read the observation and reply with exactly one action.';

export function instructionFor(env: string): string {
  return INSTRUCTIONS[env] ?? GENERIC_INSTRUCTION;
}

/** Every built-in instruction, for fitting the tokenizer to the prompt scaffolding too. */
export function allInstructions(): string[] {
  return [...Object.values(INSTRUCTIONS), GENERIC_INSTRUCTION];
}

function admissibleBlock(actions: string[], max: number): string {
  const shown = actions.slice(0, max);
  const more = actions.length - shown.length;
  return `Admissible actions:\n${shown.map((a) => `- ${a}`).join('\n')}${more > 0 ? `\n(and ${more} more)` : ''}`;
}

/** The visible window of the episode: task header, the last k steps and the current observation. */
function visibleWindow(state: PromptState, options: PromptOptions) {
  const k = Math.max(0, Math.floor(options.historyLength));
  const start = Math.max(0, state.history.length - k);
  const shown = state.history.slice(start);
  // The observation the first shown action answered: the reset text, or the step before it.
  const firstObservation = start === 0 ? state.initialObservation : state.history[start - 1].observation;
  const current = state.history.length ? state.history[state.history.length - 1].observation : state.initialObservation;
  const header = `Task: ${state.goal}${start > 0 ? `\n(${start} earlier step${start === 1 ? '' : 's'} not shown)` : ''}`;
  const tail = options.showAdmissible && state.admissible?.length ? `\n\n${admissibleBlock(state.admissible, options.maxAdmissible ?? 60)}` : '';
  return { shown, firstObservation, current, header, tail };
}

/** Chat messages; the reply to them is the next action. */
export function buildMessages(state: PromptState, options: PromptOptions = DEFAULT_PROMPT_OPTIONS): ChatMessage[] {
  const { shown, firstObservation, current, header, tail } = visibleWindow(state, options);
  const messages: ChatMessage[] = [{ role: 'system', content: options.instruction ?? instructionFor(state.env) }];
  if (!shown.length) {
    messages.push({ role: 'user', content: `${header}\n\nObservation: ${current}${tail}` });
    return messages;
  }
  messages.push({ role: 'user', content: `${header}\n\nObservation: ${firstObservation}` });
  shown.forEach((step, i) => {
    messages.push({ role: 'assistant', content: step.action });
    const last = i === shown.length - 1;
    messages.push({ role: 'user', content: `Observation: ${step.observation}${last ? tail : ''}` });
  });
  return messages;
}

/** A prompt ready to score: the candidate's scored text is prefix + action + suffix. */
export interface PromptFrame {
  context: string;
  candidatePrefix: string;
  candidateSuffix: string;
}

/** Plain transcript for models without a chat template. */
export function plainFrame(messages: ChatMessage[]): PromptFrame {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === 'system') lines.push(m.content, '');
    else if (m.role === 'user') lines.push(m.content);
    else lines.push(`Action: ${m.content}`);
  }
  lines.push('Action:');
  return { context: lines.join('\n'), candidatePrefix: ' ', candidateSuffix: '\n' };
}

/** Renders messages with a chat template (transformers.js' apply_chat_template, passed in by the worker). */
export type ChatRenderer = (messages: ChatMessage[], addGenerationPrompt: boolean) => string;

const PROBE = '\u2063probe\u2063';

/**
 * What a template writes after an assistant message's content, e.g. "<|im_end|>" for ChatML.
 * Found by rendering a probe reply, so any template works without a table of model names.
 */
export function endOfTurnMarker(render: ChatRenderer): string {
  const text = render([{ role: 'user', content: 'x' }, { role: 'assistant', content: PROBE }], false);
  const at = text.lastIndexOf(PROBE);
  if (at < 0) return '';
  const after = text.slice(at + PROBE.length);
  const newline = after.indexOf('\n');
  return newline < 0 ? after : after.slice(0, newline);
}

export function chatFrame(messages: ChatMessage[], render: ChatRenderer, endOfTurn: string): PromptFrame {
  return { context: render(messages, true), candidatePrefix: '', candidateSuffix: endOfTurn };
}

/**
 * The rollout engine's prompt window. A prompt that only grows from one step to the next lets an
 * episode's KV cache be reused (only the new action and observation are run), so the window is
 * anchored: it shows every step from an anchor on, without the admissible list (the candidates
 * are scored, not read). When more than `maxHistory` steps are shown, the anchor jumps so that
 * the last `keepHistory` remain, and that one prompt is computed from scratch.
 */
export interface AppendOnlyWindow {
  maxHistory: number;
  keepHistory: number;
}

export const DEFAULT_APPEND_ONLY_WINDOW: AppendOnlyWindow = { maxHistory: 8, keepHistory: 4 };

/** The anchor (first shown step) for an episode with `steps` steps whose window started at `anchor`. */
export function nextAnchor(steps: number, anchor: number, window: AppendOnlyWindow = DEFAULT_APPEND_ONLY_WINDOW): number {
  if (!(window.keepHistory >= 0 && window.maxHistory >= window.keepHistory)) {
    throw new RangeError(`append-only window: need 0 ≤ keepHistory ≤ maxHistory, got ${window.keepHistory} and ${window.maxHistory}`);
  }
  return steps - anchor > window.maxHistory ? Math.max(0, steps - window.keepHistory) : anchor;
}

/** The messages of an anchored window: buildMessages showing the steps from `anchor` on. */
export function anchoredMessages(state: PromptState, anchor: number, options: Pick<PromptOptions, 'instruction'> = {}): ChatMessage[] {
  return buildMessages(state, { historyLength: state.history.length - anchor, showAdmissible: false, instruction: options.instruction });
}
