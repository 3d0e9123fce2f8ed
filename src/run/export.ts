// Export of trajectories to the formats other tools read, and import back, validated.
//
//   steps     per-step JSONL, the canonical schema (formats/steps-jsonl.ts)
//   spa       SPA-RL exploration/annotation JSON (formats/chat.ts)
//   sharegpt  ShareGPT conversations (formats/chat.ts)
//   verl      verl-style rollout JSONL (formats/chat.ts)
//
// Import parses and checks the whole input before anything is returned, so a malformed file is
// rejected with a message naming what is wrong and where (item or line, and field), and a store
// it was meant for is left untouched.

import * as v from 'valibot';
import { checkTrajectory, type Trajectory } from '../rl/trajectory';
import { fromShareGpt, fromSpa, fromVerl, SHAREGPT_ITEM, SPA_ITEM, toShareGpt, toSpa, toVerl, VERL_LINE } from './formats/chat';
import { fromStepsJsonl, toStepsJsonl, type StepAnnotator } from './formats/steps-jsonl';
import type { RunStore } from './persistence/store';

export const EXPORT_FORMATS = ['steps', 'spa', 'sharegpt', 'verl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** File name extension per format. */
export const FORMAT_EXTENSION: Record<ExportFormat, string> = { steps: 'jsonl', spa: 'json', sharegpt: 'json', verl: 'jsonl' };

export interface ExportOptions {
  runId?: string;
  /** Per-step training values for the steps format (reward_total, advantage, ratio, clipped). */
  annotate?: StepAnnotator;
}

export function exportTrajectories(trajs: readonly Trajectory[], format: ExportFormat, opts: ExportOptions = {}): string {
  switch (format) {
    case 'steps': return toStepsJsonl(trajs, opts);
    case 'spa': return JSON.stringify(toSpa(trajs), null, 1) + '\n';
    case 'sharegpt': return JSON.stringify(toShareGpt(trajs), null, 1) + '\n';
    case 'verl': return trajs.map((t) => JSON.stringify(toVerl(t))).join('\n') + (trajs.length ? '\n' : '');
  }
}

export class ImportError extends Error {
  constructor(readonly format: ExportFormat, message: string) {
    super(`cannot import ${format} data: ${message}; nothing was imported`);
    this.name = 'ImportError';
  }
}

/** "conversations[4].from: Invalid type: Expected …" for the first issue, plus how many more. */
export function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  const at = (first.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('').replace(/^\./, '');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more ${issues.length === 2 ? 'problem' : 'problems'})` : '';
  return `${at ? `${at}: ` : ''}${first.message}${more}`;
}

function parseJsonArray(text: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error('expected a JSON array of trajectories');
  return data;
}

function describeItem(i: number, item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return `item ${i}${typeof id === 'string' || typeof id === 'number' ? ` (id ${JSON.stringify(id)})` : ''}`;
}

/** Validates each record, converts it, and names the record when either fails. */
function convertAll<S extends v.GenericSchema>(records: unknown[], schema: S, convert: (x: v.InferOutput<S>) => Trajectory, where: (i: number, x: unknown) => string): Trajectory[] {
  return records.map((rec, i) => {
    const r = v.safeParse(schema, rec);
    if (!r.success) throw new Error(`${where(i, rec)}: ${issueText(r.issues)}`);
    try {
      return convert(r.output);
    } catch (e) {
      throw new Error(`${where(i, rec)}: ${(e as Error).message}`);
    }
  });
}

function parseJsonLines(text: string): { n: number; data: unknown }[] {
  return text.split('\n').flatMap((raw, i) => {
    if (raw.trim() === '') return [];
    try {
      return [{ n: i + 1, data: JSON.parse(raw) as unknown }];
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
  });
}

/** The trajectories in `text`; throws ImportError saying what is wrong and where. Pure: touches no store. */
export function importTrajectories(text: string, format: ExportFormat): Trajectory[] {
  try {
    let trajs: Trajectory[];
    switch (format) {
      case 'steps':
        trajs = fromStepsJsonl(text, issueText);
        break;
      case 'spa':
        trajs = convertAll(parseJsonArray(text), SPA_ITEM, fromSpa, describeItem);
        break;
      case 'sharegpt':
        trajs = convertAll(parseJsonArray(text), SHAREGPT_ITEM, fromShareGpt, describeItem);
        break;
      case 'verl': {
        const lines = parseJsonLines(text);
        trajs = convertAll(lines.map((l) => l.data), VERL_LINE, fromVerl, (i) => `line ${lines[i].n}`);
        break;
      }
    }
    if (trajs.length === 0) throw new Error('no trajectories in the input');
    const seen = new Set<string>();
    for (const t of trajs) {
      if (seen.has(t.id)) throw new Error(`trajectory id ${JSON.stringify(t.id)} occurs twice`);
      seen.add(t.id);
      checkTrajectory(t);
    }
    return trajs;
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(format, (e as Error).message);
  }
}

/** Validates everything, then appends it to the run in one call; a malformed input writes nothing. */
export async function importIntoStore(store: RunStore, runId: string, format: ExportFormat, text: string): Promise<Trajectory[]> {
  const trajs = importTrajectories(text, format);
  await store.appendTrajectories(runId, trajs);
  return trajs;
}
