// The guided tour end to end in real Chromium (issue 11, Tour): from "Start the tour" to the
// trajectory credited two ways, on the bundled model, with both tiny runs (SPA and outcome-only,
// same seed) trained in the trainer worker, within two minutes on the 2-core machine with WebGPU on
// SwiftShader. Every step passes axe-core and is captured at 1280×720 and 1920×1080; the steps move
// with the keyboard.

import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';
import { SIZES, expectAccessible } from './lab';

/** The budget for the tour's visible result. */
const BUDGET_MS = 120_000;

const tour = (page: Page) => page.locator('sw-tour');

async function capture(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await expectAccessible(page, `${name} at ${size.width}×${size.height}`);
    await screenshot(page, `${name}-${size.width}`);
  }
  await page.setViewportSize(SIZES[0]);
}

test('the tour trains SPA and outcome-only and shows one trajectory credited two ways within two minutes', async ({ page }) => {
  test.setTimeout(BUDGET_MS + 240_000);
  const errors = collectErrors(page);
  await page.goto('/#/tour');
  const t = tour(page);
  await expect(t.getByTestId('tour-step-0')).toBeVisible({ timeout: 60_000 });
  await capture(page, 'tour-intro');

  const t0 = Date.now();
  await t.getByTestId('tour-start').click();
  await expect(t.getByTestId('tour-step-1')).toBeVisible();
  // Progress shows while training: the SPA run leaves "waiting" and its bar moves.
  await expect(t.getByTestId('tour-run-spa')).toContainText(/running/, { timeout: 30_000 });
  await expect(t.getByTestId('tour-run-spa')).toContainText(/Behaviour cloning|Exploration|Model download|Progress estimator|PPO/, { timeout: 60_000 });
  await capture(page, 'tour-training');

  await expect(t.getByTestId('tour-next')).toBeEnabled({ timeout: BUDGET_MS + 120_000 });
  const wall = (Date.now() - t0) / 1000;
  const inPage = Number(await t.evaluate((el) => (el as HTMLElement).dataset.elapsed));
  console.log(`tour: both runs trained and the result loaded after ${wall.toFixed(1)} s (the tour's own clock: ${inPage.toFixed(1)} s)`);
  console.log(`tour stages (s since Start): ${await t.evaluate((el) => (el as HTMLElement).dataset.timeline)}`);
  await expect(t.getByTestId('tour-run-spa')).toContainText('finished');
  await expect(t.getByTestId('tour-run-outcome')).toContainText('finished');

  // Next with the keyboard: → moves on, ← goes back, → again.
  await t.getByTestId('tour-next').focus();
  await page.keyboard.press('ArrowRight');
  await expect(t.getByTestId('tour-step-2')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(t.getByTestId('tour-step-1')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  const sparse = t.getByTestId('tour-sparse');
  const stepwise = t.getByTestId('tour-stepwise');
  await expect(sparse).toBeVisible();
  expect(Date.now() - t0, 'the credited trajectory is on screen within two minutes').toBeLessThan(BUDGET_MS);

  // Same trajectory, two columns: the same actions; sparse is 0 except the last step; stepwise has a value per step.
  const rows = async (col: typeof sparse) => col.locator('.crow:not(.head)').evaluateAll((els) => els.map((e) => ({
    action: (e.querySelector('.act') as HTMLElement).title,
    value: (e.querySelector('.n:last-child') as HTMLElement).textContent!.trim(),
  })));
  const a = await rows(sparse), b = await rows(stepwise);
  expect(a.length).toBeGreaterThan(0);
  expect(a.map((r) => r.action)).toEqual(b.map((r) => r.action));
  expect(a.slice(0, -1).every((r) => r.value === '0')).toBe(true);
  expect(b.every((r) => /^[+−]?\d|^0$/.test(r.value))).toBe(true);
  await expect(t.getByTestId('tour-explain')).toContainText('add up');
  await capture(page, 'tour-credit');

  await t.getByTestId('tour-next').click();
  await expect(t.getByTestId('tour-step-3')).toBeVisible();
  await expect(t.getByTestId('tour-summary')).toContainText('greedy test');
  await capture(page, 'tour-meaning');

  // The tour's run opens in the Trajectories viewer.
  await t.getByTestId('tour-open-trajectories').click();
  const tv = page.locator('sw-trajectories');
  await expect(tv.getByTestId('tv-position')).toHaveText(/^step 1 \//, { timeout: 30_000 });
  // The README opens with this view: the user's own run, a few steps in.
  await tv.getByTestId('tv-next').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(tv.getByTestId('tv-position')).toHaveText(/^step 3 \//);
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/trajectory-viewer.png' });

  await creditInPlayground(page);
  expect(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e))).toEqual([]);
});

/**
 * The Playground with the tour's SPA run as its estimator (issue 11, Playground): ĉ_t, Σĉ and g_t
 * show for each step as it is played, a marked step says whether the estimator agrees, and the
 * run's checkpoint exports and imports back as a run the picker offers; a damaged file changes nothing.
 */
async function creditInPlayground(page: Page): Promise<void> {
  await page.goto('/#/playground?env=webshop&split=train&task=0&seed=0');
  const pg = page.locator('sw-playground');
  await expect(pg.getByTestId('pg-status')).toHaveText('Playing', { timeout: 60_000 });
  const runs = pg.getByTestId('pg-credit-run');
  await expect(runs.locator('option')).toHaveCount(2); // "no run" and the tour's SPA run (outcome-only trains no estimator)
  await runs.selectOption({ label: 'Tour · SPA · seed 7' });

  await pg.getByTestId('pg-action').first().click();
  await expect(pg.getByTestId('pg-step-credit')).toHaveCount(1, { timeout: 60_000 });
  await pg.getByTestId('pg-hint').click();
  await pg.getByTestId('pg-hint-action').click();
  await expect(pg.getByTestId('pg-step-credit')).toHaveCount(2, { timeout: 60_000 });
  const lines = await pg.getByTestId('pg-step-credit').allTextContents();
  const values = lines.map((l) => Number(/ĉ ([+−]?[\d.]+)/.exec(l)![1].replace('−', '-')));
  expect(values.every(Number.isFinite)).toBe(true);
  expect(lines[0]).toMatch(/g=[01]/);
  const sum = Number((await pg.getByTestId('pg-credit-sum').textContent())!.replace('−', '-'));
  expect(sum).toBeCloseTo(values[0] + values[1], 1);

  // Mark step 1 as progress: the tag says whether the estimator agrees, and the count follows.
  await pg.getByTestId('pg-mark-progress').first().click();
  await expect(pg.getByTestId('pg-agree')).toHaveCount(1);
  const agrees = values[0] > 0.05;
  await expect(pg.getByTestId('pg-agree')).toHaveText(agrees ? 'estimator agrees' : 'estimator says no progress');
  await expect(pg.getByTestId('pg-credit-agree')).toHaveText(`${agrees ? 1 : 0} / 1`);
  await capture(page, 'playground-credit');

  // Checkpoint out and back in.
  const [dl] = await Promise.all([page.waitForEvent('download'), pg.getByTestId('pg-ckpt-export').click()]);
  expect(dl.suggestedFilename()).toMatch(/^Tour-SPA-seed-7-it1\.swck$/);
  const bytes = readFileSync((await dl.path())!);
  await pg.getByTestId('pg-ckpt-import').setInputFiles({ name: 'broken.swck', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint') });
  await expect(pg.getByTestId('pg-file-error')).toContainText('Nothing was imported: this is not a Stepwise checkpoint file');
  await expect(runs.locator('option')).toHaveCount(2);
  await pg.getByTestId('pg-ckpt-import').setInputFiles({ name: dl.suggestedFilename(), mimeType: 'application/octet-stream', buffer: bytes });
  await expect(pg.getByTestId('pg-credit-notice')).toContainText('Imported “Tour · SPA · seed 7 (imported)”');
  await expect(runs.locator('option')).toHaveCount(3);
  // The imported run credits the same steps with the same estimator.
  await expect(pg.getByTestId('pg-step-credit')).toHaveCount(2, { timeout: 60_000 });
  const again = (await pg.getByTestId('pg-step-credit').allTextContents()).map((l) => /ĉ ([+−]?[\d.]+)/.exec(l)![1]);
  expect(again).toEqual(lines.map((l) => /ĉ ([+−]?[\d.]+)/.exec(l)![1]));
}
