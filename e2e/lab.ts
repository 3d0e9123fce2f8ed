// Helpers for the lab's screens in e2e specs: importing files through the file inputs, and the
// accessibility check every screen must pass.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

/** Minimal trajectory shape the specs read from e2e/data/trajectories.json. */
export interface FixtureTrajectory {
  id: string;
  goal: string;
  steps: { observation: string; admissible: string[]; action: number; probs: number[] }[];
}

const data = (name: string) => readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
/** Per-step JSONL of 40 household trajectories (e2e/make-fixtures.ts). */
export const STEPS_JSONL = data('household-fixture.jsonl');
export const FIXTURE = JSON.parse(data('trajectories.json')) as { xss: string; trajectories: FixtureTrajectory[] };
/** Run bundles: spa, outcome, rloo × seeds 1, 2 on household. */
export const RUNS_JSON = data('runs.json');

export async function importFile(page: Page, testId: string, name: string, text: string): Promise<void> {
  await page.getByTestId(testId).setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

/** axe-core on the whole page (shadow roots included): no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(text, `axe on ${what}`).toEqual([]);
}

export const SIZES = [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }] as const;
