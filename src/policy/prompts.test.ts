import { describe, expect, it } from 'vitest';
import { renderChatML } from './chatml';
import { buildMessages, chatFrame, endOfTurnMarker, instructionFor, plainFrame, type PromptState } from './prompts';

const state: PromptState = {
  env: 'household',
  goal: 'put a mug in cabinet.',
  initialObservation: 'You are in the middle of a room.',
  history: [1, 2, 3, 4, 5].map((i) => ({ action: `go to desk ${i}`, observation: `You arrive at desk ${i}.` })),
  admissible: Array.from({ length: 70 }, (_, i) => `go to shelf ${i}`),
};

describe('ReAct-style prompts', () => {
  it('shows the instruction, the task, the last k steps and the admissible actions', () => {
    const m = buildMessages(state, { historyLength: 2, showAdmissible: true, maxAdmissible: 60 });
    expect(m[0]).toEqual({ role: 'system', content: instructionFor('household') });
    expect(m.map((x) => x.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(m[1].content).toBe('Task: put a mug in cabinet.\n(3 earlier steps not shown)\n\nObservation: You arrive at desk 3.');
    expect(m[2].content).toBe('go to desk 4');
    expect(m[4].content).toBe('go to desk 5');
    expect(m[5].content).toMatch(/^Observation: You arrive at desk 5\.\n\nAdmissible actions:\n- go to shelf 0\n/);
    expect(m[5].content).toMatch(/- go to shelf 59\n\(and 10 more\)$/);
  });

  it('starts from the reset observation and can hide the admissible list', () => {
    const fresh = buildMessages({ ...state, history: [] }, { historyLength: 4, showAdmissible: false });
    expect(fresh).toHaveLength(2);
    expect(fresh[1].content).toBe('Task: put a mug in cabinet.\n\nObservation: You are in the middle of a room.');
    const all = buildMessages(state, { historyLength: 10, showAdmissible: false });
    expect(all[1].content).toBe('Task: put a mug in cabinet.\n\nObservation: You are in the middle of a room.');
    expect(all.filter((x) => x.role === 'assistant')).toHaveLength(5);
    expect(instructionFor('unknown-env')).toMatch(/text environment/);
  });

  it('frames chat and plain prompts so the candidate follows a token boundary', () => {
    const m = buildMessages(state, { historyLength: 1, showAdmissible: false });
    const end = endOfTurnMarker(renderChatML);
    expect(end).toBe('<|im_end|>');
    const chat = chatFrame(m, renderChatML, end);
    expect(chat.context.endsWith('<|im_start|>assistant\n')).toBe(true);
    expect(chat.candidateSuffix).toBe('<|im_end|>');
    const plain = plainFrame(m);
    expect(plain.context.endsWith('Action: go to desk 5\nObservation: You arrive at desk 5.\nAction:')).toBe(true);
    expect(plain).toMatchObject({ candidatePrefix: ' ', candidateSuffix: '\n' });
  });
});
