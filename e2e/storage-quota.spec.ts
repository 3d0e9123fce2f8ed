// A full browser store in practice (issue: "Nothing is lost silently. A storage-quota error is
// shown, with what to delete."). The trainer worker's IndexedDB writes go through a wrapper that,
// while "full", throws a real DOMException named QuotaExceededError from IDBObjectStore.put for
// the checkpoint of PPO iteration 1: the run has by then stored its record, BC and estimator rows,
// the PPO iteration 1 row and an earlier checkpoint. The Train screen must say storage is full,
// what it was writing, and list the stored runs with their sizes to delete; everything stored
// before the error must still be there; and once space is freed the run resumes to its end.

import { expect, test, type Page, type Worker } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';
import { RUNS_JSON, expectAccessible, importFile } from './lab';

/** A tiny SPA run (as train.spec.ts's): 2 tasks, K = 2, 2 PPO iterations, one evaluation task per split. */
const TINY = new URLSearchParams({
  'run.env': 'household', 'run.seed': '4', 'run.reward': 'spa', 'run.tasks.count': '2', 'run.bc.epochs': '2', 'run.explore.k': '2',
  'run.estimator.hidden': '8', 'run.estimator.epochs': '3', 'run.estimator.heldOut': '0.25', 'run.estimator.refitEvery': '1',
  'run.ppo.iterations': '2', 'run.ppo.tasksPerIteration': '2', 'run.ppo.epochs': '1', 'run.ppo.minibatch': '16', 'run.eval.tasks': '1',
});

const train = (page: Page) => page.locator('sw-train');

type QuotaScope = typeof globalThis & { __quotaFull?: boolean; __quotaHits?: number };

/**
 * Installed in the trainer worker (its own global scope: the page's init scripts do not reach it).
 * Throws synchronously from put, as a store that cannot grow does; idb turns that into the
 * rejected write the run store's guard sees.
 */
function fillStorage(): void {
  const scope = self as QuotaScope;
  scope.__quotaFull = true;
  scope.__quotaHits = 0;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    const v = value as { iteration?: unknown } | null;
    if (scope.__quotaFull && this.transaction.db.name === 'stepwise' && this.name === 'checkpoints' && typeof v?.iteration === 'number' && v.iteration >= 1) {
      scope.__quotaHits = (scope.__quotaHits ?? 0) + 1;
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.call(this, value, key);
  };
}

interface Stored {
  runs: { id: string; status: string; label: string; error?: string }[];
  rows: Record<string, string[]>;
  checkpoints: Record<string, number[]>;
}

/** The run store as the page can read it (IndexedDB "stepwise"). */
async function stored(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('stepwise');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(store: string) => new Promise<T[]>((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result as T[]);
      r.onerror = () => reject(r.error);
    });
    const runs = await all<{ id: string; status: string; label: string; error?: string }>('runs');
    const metrics = await all<{ runId: string; seq: number; row: { iteration: number; stage?: string; split?: string } }>('metrics');
    const ckpts = await all<{ runId: string; iteration: number }>('checkpoints');
    db.close();
    const rows: Record<string, string[]> = {};
    for (const m of metrics.sort((a, b) => a.seq - b.seq)) (rows[m.runId] ??= []).push(`${m.row.stage}:${m.row.iteration}${m.row.split ? `:${m.row.split}` : ''}`);
    const checkpoints: Record<string, number[]> = {};
    for (const c of ckpts) (checkpoints[c.runId] ??= []).push(c.iteration);
    return { runs: runs.map((r) => ({ id: r.id, status: r.status, label: r.label, ...(r.error ? { error: r.error } : {}) })), rows, checkpoints };
  });
}

test('a full store stops the run with a message naming what to delete; nothing stored is lost and the run resumes', async ({ page }) => {
  test.setTimeout(480_000);
  const errors = collectErrors(page);
  let trainerWorker: Worker | null = null;
  const patched: Promise<void>[] = [];
  page.on('worker', (w) => {
    if (!/trainer/.test(w.url())) return;
    trainerWorker = w;
    patched.push(w.evaluate(fillStorage));
  });

  // Older runs to delete (the Compare import), then the Train screen.
  await page.goto('/#/compare');
  await importFile(page, 'cmp-import', 'runs.json', RUNS_JSON);
  await expect(page.locator('sw-compare').getByTestId('cmp-notice')).toBeVisible();
  const imported = (await stored(page)).runs;
  expect(imported.length).toBeGreaterThan(1);
  await page.goto(`/#/train?${TINY}`);
  const s = train(page);
  await expect(s.getByTestId('train-notice')).toHaveCount(0);
  await expect.poll(() => patched.length, { timeout: 60_000, message: 'the trainer worker started' }).toBeGreaterThan(0);
  await Promise.all(patched);

  await s.getByTestId('train-start').click();
  await expect(s.getByTestId('train-status')).toHaveText('running', { timeout: 60_000 });
  await expect(s.getByTestId('train-status')).toHaveText('failed', { timeout: 300_000 });
  const hits = await trainerWorker!.evaluate(() => (self as QuotaScope).__quotaHits ?? 0);
  expect(hits, 'the quota error was raised by a real write').toBeGreaterThan(0);

  // The message: storage is full, what was being written, nothing lost, and the runs to delete with their sizes.
  const runId = (await s.locator('.status .mono').textContent())!.trim();
  const panel = s.getByTestId('train-storage-full');
  await expect(panel).toBeVisible();
  await expect(s.getByTestId('train-error')).toHaveCount(0); // the panel replaces the one-line alert
  await expect(panel).toContainText(`Browser storage is full: the run stopped while saving checkpoint 1 of run ${runId}.`);
  await expect(panel).toContainText('Nothing already stored was lost');
  const list = panel.getByTestId('storage-runs').locator('tbody tr');
  await expect(list).toHaveCount(imported.length + 1);
  await expect(list.filter({ hasText: '(the run that stopped)' })).toHaveCount(1);
  for (const row of await list.all()) {
    await expect(row.locator('td').nth(1)).toHaveText(/^\d+(\.\d+)? (B|KiB|MiB|GiB) · \d+ checkpoints? · \d+ trajector(y|ies)$/);
    await expect(row.getByRole('button', { name: /^Delete / })).toBeVisible();
  }
  console.log(`storage-full panel:\n${await panel.innerText()}`);
  // The resume offer names the reason in a short clause.
  await expect(s.getByTestId('train-resume-text')).toContainText(`storage was full while saving checkpoint 1 of run ${runId}; free space, then resume it.`);
  await expectAccessible(page, 'the Train screen with the storage-full message');
  await screenshot(page, 'train-storage-full');

  // What the run stored before the error is all there.
  const after = await stored(page);
  expect(after.runs.find((r) => r.id === runId)).toMatchObject({ status: 'failed', error: expect.stringContaining('storage is full while saving checkpoint 1') });
  expect(after.rows[runId]).toEqual(['bc:0', 'estimator:0', 'ppo:1']);
  expect(after.checkpoints[runId]).toEqual([-1]);
  for (const r of imported) expect(after.runs.map((x) => x.id)).toContain(r.id);

  // Delete takes two presses; the run leaves the list and the store.
  const victim = imported[0];
  const del = panel.getByRole('button', { name: `Delete ${victim.label}` });
  await del.click();
  await expect(del).toHaveText('Delete for good?');
  await del.click();
  await expect(list).toHaveCount(imported.length);
  expect((await stored(page)).runs.map((r) => r.id)).not.toContain(victim.id);

  // Space freed: the run resumes from its last checkpoint and finishes, every row once.
  await trainerWorker!.evaluate(() => { (self as QuotaScope).__quotaFull = false; });
  await s.getByTestId('train-resume-offer').getByRole('button', { name: 'Resume it' }).click();
  await expect(panel).toHaveCount(0);
  await expect(s.getByTestId('train-status')).toHaveText('finished', { timeout: 300_000 });
  const done = await stored(page);
  expect(done.runs.find((r) => r.id === runId)?.status).toBe('finished');
  expect(done.rows[runId]).toEqual(['bc:0', 'estimator:0', 'ppo:1', 'ppo:2', 'eval:2:seen-test', 'eval:2:unseen-test']);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
