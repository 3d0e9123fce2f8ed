// SFT in the lab (issue 9): a tiny run with sft.enabled (2 SFT steps) started from the Train
// screen. The trainer worker fine-tunes the bundled model on its own WebGPU device (SwiftShader),
// from the files the app serves at /models/stepwise-tiny/, stores the exported model folder in
// IndexedDB ("stepwise-sft"), and the LLM worker loads that export from bytes; BC, exploration,
// PPO and evaluation then score with it.

import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';

/** The Train screen's link for a tiny SPA run with 2 SFT steps (config.ts is not loadable here; see train.spec.ts). */
const TINY_SFT = new URLSearchParams({
  'run.env': 'household', 'run.seed': '5', 'run.reward': 'spa', 'run.tasks.count': '1', 'run.sft.enabled': 'true', 'run.sft.steps': '2',
  'run.bc.epochs': '1', 'run.explore.k': '2', 'run.estimator.hidden': '8', 'run.estimator.epochs': '1',
  'run.ppo.iterations': '1', 'run.ppo.tasksPerIteration': '1', 'run.ppo.epochs': '1', 'run.ppo.minibatch': '16', 'run.eval.tasks': '1',
  'run.episode.maxSteps': '3',
});

const train = (page: Page) => page.locator('sw-train');

/** What the trainer worker stored: metric rows of every run, and the SFT exports' file sizes. */
async function stored(page: Page) {
  return page.evaluate(async () => {
    const open = (name: string) => new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(db: IDBDatabase, store: string) => new Promise<T[]>((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result as T[]);
      r.onerror = () => reject(r.error);
    });
    const runsDb = await open('stepwise');
    const metrics = await all<{ runId: string; seq: number; row: Record<string, unknown> }>(runsDb, 'metrics');
    const runs = await all<{ id: string; status: string }>(runsDb, 'runs');
    runsDb.close();
    const sftDb = await open('stepwise-sft');
    const models = sftDb.objectStoreNames.contains('models')
      ? await all<{ runId: string; key: string; files: Record<string, Uint8Array> }>(sftDb, 'models') : [];
    sftDb.close();
    return {
      runs,
      rows: metrics.sort((a, b) => a.seq - b.seq).map((m): Record<string, unknown> => ({ ...m.row, runId: m.runId })),
      exports: models.map((m) => ({ runId: m.runId, files: Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, v.byteLength])) })),
    };
  });
}

/** The Train screen's progress entry of a stage (its fraction and detail, as the trainer's events set them). */
const stageProgress = (page: Page, stage: string) => train(page).evaluate((el, s) => {
  const p = (el as HTMLElement & { progress: Map<string, { fraction: number; detail?: string }> }).progress.get(s);
  return p ? { fraction: p.fraction, detail: p.detail ?? null } : null;
}, stage);

test('runs SFT in the lab: the stage trains on WebGPU, stores its export, and the later stages score with it', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  const t0 = Date.now();
  await page.goto(`/#/train?${TINY_SFT}`);
  const s = train(page);
  await expect(s.getByTestId('train-notice')).toHaveCount(0); // every parameter of the link was taken
  // The SFT toggle sits in Advanced and is on, from the link.
  await s.getByText(/^Advanced \(\d+ settings\)$/).click();
  await expect(s.getByLabel('Run SFT')).toBeChecked();
  await s.getByText(/^Advanced \(\d+ settings\)$/).click();
  await s.getByTestId('train-start').scrollIntoViewIfNeeded();
  await s.getByTestId('train-start').click();
  await expect(s.getByTestId('train-status')).toHaveText('running', { timeout: 60_000 });

  // SFT reports progress while it trains.
  await expect.poll(async () => (await stageProgress(page, 'sft'))?.fraction ?? 0, { timeout: 240_000, message: 'SFT progress reaches the page' }).toBeGreaterThan(0);
  await expect(s.locator('.stage', { hasText: 'SFT' })).toContainText('%');
  await screenshot(page, 'train-sft-running');
  console.log(`SFT under way after ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  await expect(s.getByTestId('train-status')).toHaveText('finished', { timeout: 480_000 });
  console.log(`finished after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await expect(s.locator('.stage', { hasText: 'SFT' })).toContainText('done');

  const { runs, rows, exports } = await stored(page);
  expect(runs).toEqual([expect.objectContaining({ status: 'finished' })]);
  const runId = runs[0].id;
  const mine = rows.filter((r) => r.runId === runId);
  expect(mine.map((r) => r.stage)).toEqual(['sft', 'bc', 'estimator', 'ppo', 'eval', 'eval']);
  const sft = mine[0];
  console.log(`sft row: ${JSON.stringify(sft)}`);
  for (const k of ['sft/loss', 'sft/heldout_loss', 'sft/tokens_per_s']) {
    expect(typeof sft[k] === 'number' && Number.isFinite(sft[k]) && (sft[k] as number) > 0, `${k} = ${String(sft[k])}`).toBe(true);
  }
  expect(sft['sft/steps']).toBe(2);

  // The export is stored under the run, and the LLM worker loaded it: its ModelInfo names the run's SFT model.
  expect(exports).toEqual([{ runId, files: expect.objectContaining({ 'config.json': expect.any(Number), 'onnx/model.onnx': expect.any(Number), 'tokenizer.json': expect.any(Number) }) }]);
  expect(exports[0].files['onnx/model.onnx']).toBeGreaterThan(100_000);
  expect((await stageProgress(page, 'sft'))?.detail).toBe(`scoring with stepwise-tiny-sft-${runId}`);
  await screenshot(page, 'train-sft-finished');

  // The SFT row is charted: train vs held-out loss against SFT steps, with the values under it.
  const sftPanel = s.getByTestId('sft-chart');
  await expect(sftPanel).toBeVisible();
  await expect(sftPanel.locator('figcaption')).toHaveText('SFT loss (train vs held-out)');
  const plotted = await sftPanel.locator('sw-line-chart').evaluate((el) => {
    const c = el as HTMLElement & { x: number[]; series: { label: string; values: (number | null)[] }[]; plot: unknown };
    return { x: c.x, series: c.series.map((v) => ({ label: v.label, values: v.values })), drawn: c.plot !== null };
  });
  expect(plotted).toEqual({ x: [2], series: [{ label: 'train loss', values: [sft['sft/loss']] }, { label: 'held-out loss', values: [sft['sft/heldout_loss']] }], drawn: true });
  await expect(sftPanel.getByTestId('sft-summary')).toHaveText(
    `After 2 SFT steps: train loss ${(sft['sft/loss'] as number).toFixed(3)}, held-out loss ${(sft['sft/heldout_loss'] as number).toFixed(3)} · ${Math.round(sft['sft/tokens_per_s'] as number).toLocaleString('en-US')} tokens/s`);
  await sftPanel.scrollIntoViewIfNeeded();
  await screenshot(page, 'train-sft-chart');
  expect(errors).toEqual([]);
});
