import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { playEpisode } from '../envs/play';
import { ENV_REGISTRY, getEnvSpec } from '../envs/registry';
import { nextTokenLossRows } from '../kernels/cross-entropy';
import { packRows } from '../kernels/packing';
import { createBpeDecoder, createBpeEncoder } from '../policy/bpe-trainer';
import { renderChatML } from '../policy/chatml';
import { DEFAULT_PROMPT_OPTIONS, buildMessages, type PromptState } from '../policy/prompts';
import { bpeModelFromTokenizerJson } from '../policy/tokenizer-files';
import { EmptySftMaskError, buildSftData, episodeSequences, expertSteps, packSequences } from './sft-data';
import { SFT_PROMPT_OPTIONS } from './sft';

const bpe = bpeModelFromTokenizerJson(JSON.parse(readFileSync(new URL('../../public/models/stepwise-tiny/tokenizer.json', import.meta.url), 'utf8')));
const encode = createBpeEncoder(bpe);
const decode = createBpeDecoder(bpe);
const EOT = '<|im_end|>';

/** The loss-carrying spans of a sequence, decoded. */
function lossSpans(tokens: Uint32Array, mask: Uint8Array): string[] {
  const spans: string[] = [];
  let cur: number[] = [];
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && mask[i]) cur.push(tokens[i]);
    else if (cur.length) {
      spans.push(decode(cur));
      cur = [];
    }
  }
  return spans;
}

describe('SFT data: the loss mask', () => {
  const household = getEnvSpec('household');

  it('a known episode (household train task 0): exactly the expert actions and their end-of-turn markers carry the loss', () => {
    const transcript = playEpisode(household, 'train', 0, 0, { kind: 'expert' });
    expect(transcript.won).toBe(true);
    const { steps } = expertSteps(household, 'train', 0, 0, { prompt: SFT_PROMPT_OPTIONS });
    const seqs = episodeSequences({ env: 'household', split: 'train', task: 0 }, steps, { encode }, EOT);
    // The append-only prompt puts the whole episode in one sequence.
    expect(seqs).toHaveLength(1);
    const [seq] = seqs;
    const spans = lossSpans(seq.tokens, seq.lossMask);
    console.log(`household train task 0: ${seq.tokens.length} tokens, ${seq.lossTokens} carry the loss: ${JSON.stringify(spans)}`);
    // Pinned figures of this frozen episode (household/1, the bundled tokenizer).
    expect(transcript.steps.map((s) => s.action)).toEqual(['go to sofa 1', 'take creditcard 1 from sofa 1', 'go to sidetable 1', 'use desklamp 1']);
    expect(seq.lossTokens).toBe(21);
    expect(seq.tokens.length).toBe(320);
    // The same figures from an independent path: the transcript's actions, each closed by the marker.
    expect(spans).toEqual(transcript.steps.map((s) => s.action + EOT));
    expect(seq.lossTokens).toBe(transcript.steps.reduce((n, s) => n + encode(s.action + EOT).length, 0));
    // The kernels' loss rows agree: one row per loss token, predicting it from the token before.
    const rows = nextTokenLossRows(seq.tokens, seq.lossMask, packRows([seq.tokens.length]).offsets, bpe.vocab.size);
    expect(rows.rows.length).toBe(21);
    expect(decode(rows.targets)).toBe(spans.join(''));
  });

  it('each action is predicted from exactly the tokens the policy reads', () => {
    for (const [env, task] of [['household', 3], ['webshop', 0], ['virtualhome', 5]] as const) {
      const spec = getEnvSpec(env);
      for (const prompt of [SFT_PROMPT_OPTIONS, DEFAULT_PROMPT_OPTIONS]) {
        const { steps } = expertSteps(spec, 'train', task, 0, { prompt });
        const seqs = episodeSequences({ env, split: 'train', task }, steps, { encode }, EOT);
        // Rebuild the policy's prompt at every step from the environment, independently of sft-data.
        const e = spec.create();
        const first = e.reset(spec.task('train', task).id, 0);
        const state: PromptState = { env, goal: first.goal, initialObservation: first.text, history: [] };
        let t = 0;
        for (const seq of seqs) {
          const starts: number[] = [];
          for (let i = 0; i < seq.tokens.length; i++) if (seq.lossMask[i] && !seq.lossMask[i - 1]) starts.push(i);
          expect(starts).toHaveLength(seq.steps);
          for (const at of starts) {
            state.admissible = e.admissibleActions();
            const action = e.expert()!;
            const policyContext = encode(renderChatML(buildMessages(state, prompt), true));
            const candidate = encode(action + EOT);
            expect(Array.from(seq.tokens.subarray(0, at)).slice(-policyContext.length)).toEqual(policyContext);
            if (seq.firstStep === t) expect(at).toBe(policyContext.length);
            expect(Array.from(seq.tokens.subarray(at, at + candidate.length))).toEqual(candidate);
            const r = e.step(action);
            state.history.push({ action, observation: r.observation.text });
            t++;
          }
        }
        expect(t).toBe(steps.length);
        // With the admissible list shown the prompt is not append-only: one sequence per step.
        if (prompt.showAdmissible) expect(seqs).toHaveLength(steps.length);
      }
    }
  });

  it('a sequence whose mask would be empty is an error, never a silent zero loss', () => {
    const { steps } = expertSteps(household, 'train', 0, 0, { prompt: SFT_PROMPT_OPTIONS });
    // An action that encodes to nothing (a tokenizer that drops it) leaves nothing to learn.
    const dropping = { encode: (text: string) => (steps.some((s) => text === s.action + EOT) ? [] : encode(text)) };
    expect(() => episodeSequences({ env: 'household', split: 'train', task: 0 }, steps, dropping, EOT)).toThrow(EmptySftMaskError);
    // The kernel-level guard agrees for a packed batch with one all-zero mask.
    const batch = packSequences(episodeSequences({ env: 'household', split: 'train', task: 0 }, steps, { encode }, EOT), 4096)[0];
    const zeroed = Uint8Array.from(batch.lossMask).fill(0);
    expect(() => nextTokenLossRows(batch.tokens, zeroed, packRows(batch.lengths).offsets, bpe.vocab.size)).toThrow(/loss/);
  });

  it('builds train data from all three environments and packs it without splitting sequences', () => {
    const data = buildSftData([...ENV_REGISTRY.values()], { encode }, { split: 'train', episodes: 12, prompt: SFT_PROMPT_OPTIONS, maxLength: 1536 });
    expect(data.stats.map((s) => s.env)).toEqual(['household', 'webshop', 'virtualhome']);
    for (const s of data.stats) {
      expect(s.unsolved).toBe(0);
      expect(s.sequences + s.tooLong).toBeGreaterThanOrEqual(12);
      expect(s.lossTokens).toBeGreaterThan(0);
    }
    expect(data.sequences.every((s) => s.tokens.length <= 1536 && s.lossTokens > 0)).toBe(true);
    const batches = packSequences(data.sequences, 2048);
    expect(batches.reduce((n, b) => n + b.lengths.length, 0)).toBe(data.sequences.length);
    expect(batches.reduce((n, b) => n + b.lossTokens, 0)).toBe(data.sequences.reduce((n, s) => n + s.lossTokens, 0));
    for (const b of batches) {
      expect(b.tokens.length).toBeLessThanOrEqual(2048);
      expect(b.lengths.reduce((a, c) => a + c, 0)).toBe(b.tokens.length);
    }
    // Greedy packing fills batches: every batch but the last could not take the next sequence.
    let next = 0;
    batches.forEach((b, i) => {
      next += b.lengths.length;
      if (i + 1 < batches.length) expect(b.tokens.length + data.sequences[next].tokens.length).toBeGreaterThan(2048);
    });
  });
});
