// A run as one JSON file: its label, config and metric rows. The Compare screen exports runs in
// this form and imports them back (one bundle or a list), so results travel between machines and
// people. Import is validated whole — the bundle's shape, every metric row, and the config by the
// run config's own schema — and a message names the bundle and field of the first problem.

import * as v from 'valibot';
import { safeParseSavedRunConfig } from '../../run/config';
import { issueText } from '../../run/export';
import type { Json, MetricRow, RunRecord } from '../../run/persistence/store';

export const BUNDLE_KIND = 'stepwise-run';
export const BUNDLE_VERSION = 1;

export interface RunBundle {
  kind: typeof BUNDLE_KIND;
  version: typeof BUNDLE_VERSION;
  run: Pick<RunRecord, 'id' | 'label' | 'config' | 'status' | 'createdAt'>;
  metrics: MetricRow[];
}

const JSON_VALUE: v.GenericSchema<Json> = v.lazy(() => v.union([
  v.null(), v.boolean(), v.pipe(v.number(), v.finite()), v.string(), v.array(JSON_VALUE), v.record(v.string(), JSON_VALUE),
]));

const BUNDLE = v.object({
  kind: v.literal(BUNDLE_KIND),
  version: v.literal(BUNDLE_VERSION),
  run: v.object({
    id: v.pipe(v.string(), v.regex(/^(?!\.)[\w.-]{1,200}$/, 'must be 1–200 letters, digits, _, - or .')),
    label: v.pipe(v.string(), v.maxLength(300)),
    config: v.unknown(),
    status: v.optional(v.picklist(['created', 'running', 'paused', 'finished', 'failed', 'cancelled']), 'finished'),
    createdAt: v.optional(v.string(), ''),
  }),
  metrics: v.array(v.objectWithRest({ iteration: v.pipe(v.number(), v.integer(), v.minValue(-1)) }, JSON_VALUE)),
});

export function toBundle(run: RunRecord, metrics: readonly MetricRow[]): RunBundle {
  return { kind: BUNDLE_KIND, version: BUNDLE_VERSION, run: { id: run.id, label: run.label, config: run.config, status: run.status, createdAt: run.createdAt }, metrics: [...metrics] };
}

export function bundlesToJson(bundles: readonly RunBundle[]): string {
  return JSON.stringify(bundles.length === 1 ? bundles[0] : bundles, null, 1) + '\n';
}

/** The bundles in a file (one object or an array); throws an Error saying what is wrong and where. */
export function parseBundles(text: string): RunBundle[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(data) ? data : [data];
  if (list.length === 0) throw new Error('no runs in the file');
  const ids = new Set<string>();
  return list.map((item, i) => {
    const where = Array.isArray(data) ? `run ${i}` : 'the run';
    const r = v.safeParse(BUNDLE, item);
    if (!r.success) throw new Error(`${where}: ${issueText(r.issues)}`);
    // A saved run's config: fields it predates read as what it trained with, not today's defaults.
    const cfg = safeParseSavedRunConfig(r.output.run.config);
    if (!cfg.ok) throw new Error(`${where} (${r.output.run.id}): run.config: ${cfg.error.issues[0].message}`);
    if (ids.has(r.output.run.id)) throw new Error(`${where}: run id ${JSON.stringify(r.output.run.id)} occurs twice`);
    ids.add(r.output.run.id);
    return { ...r.output, run: { ...r.output.run, config: cfg.config } } as RunBundle;
  });
}
