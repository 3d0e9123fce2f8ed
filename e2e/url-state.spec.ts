// URL state in Chromium: every screen's parameters live in the hash through one schema, so a link
// reopens what its sender saw, and a mangled link opens anyway and says what it ignored.

import { expect, test } from '@playwright/test';
import { STEPS_JSONL, FIXTURE, importFile } from './lab';

test('the Train form writes the whole run config to the URL, and the link reproduces it', async ({ page }) => {
  await page.goto('/#/train');
  const t = page.locator('sw-train');
  await expect(t.locator('#f-env')).toHaveValue('household');
  // The default config is written in full: the link does not depend on today's defaults.
  await expect.poll(() => new URL(page.url().replace('#/train', '')).searchParams.get('run.ppo.lr')).toBe('0.0003');

  await t.locator('#f-reward').selectOption('outcome');
  await t.locator('#f-seed').fill('7');
  await t.locator('#f-seed').press('Tab');
  await t.getByText(/^Advanced/).click();
  await t.locator('#f-ppo-clip').fill('0.3');
  await t.locator('#f-ppo-clip').press('Tab');
  await expect.poll(() => page.url()).toContain('run.ppo.clip=0.3');
  const link = page.url();
  expect(link).toContain('run.reward=outcome');
  expect(link).toContain('run.seed=7');

  // A fresh page on the link shows the same config.
  const other = await page.context().newPage();
  await other.goto(link);
  const t2 = other.locator('sw-train');
  await expect(t2.locator('#f-reward')).toHaveValue('outcome');
  await expect(t2.locator('#f-seed')).toHaveValue('7');
  await expect(t2.locator('#f-ppo-clip')).toHaveValue('0.3');

  // An out-of-range value is refused in the form with the field's range, and not written to the URL.
  await t.locator('#f-ppo-clip').fill('1.5');
  await t.locator('#f-ppo-clip').press('Tab');
  await expect(t.getByTestId('cfg-error')).toContainText('ppo.clip must be a number in (0, 1), got 1.5');
  await expect(t.getByTestId('train-start')).toBeDisabled();
  expect(page.url()).toContain('run.ppo.clip=0.3');
  await t.locator('#f-ppo-clip').fill('0.25');
  await t.locator('#f-ppo-clip').press('Tab');
  await expect(t.getByTestId('train-start')).toBeEnabled();
  await expect.poll(() => page.url()).toContain('run.ppo.clip=0.25');
});

test('a mangled link opens the screen with defaults where it was wrong and names what it ignored', async ({ page }) => {
  await page.goto('/#/train?run.ppo.lr=banana&run.seed=5&run.colour=red');
  const t = page.locator('sw-train');
  await expect(t.getByTestId('train-notice')).toContainText('run.ppo.lr must be a number in (0, 1], got "banana"');
  await expect(t.getByTestId('train-notice')).toContainText('unknown parameter run.colour');
  await expect(t.locator('#f-seed')).toHaveValue('5');
  await expect(t.locator('#f-ppo-lr')).toHaveValue('0.0003');
  expect(page.url()).not.toContain('banana');
});

test('the Trajectories link reopens the same trajectory, step, filters and speed after a reload', async ({ page }) => {
  await page.goto('/#/trajectories');
  await importFile(page, 'tv-import', 'household-fixture.jsonl', STEPS_JSONL);
  const s = page.locator('sw-trajectories');
  const want = FIXTURE.trajectories[6];
  // The import ends by showing its run with every filter reset; filter only after that, or the
  // reset can land after the choice (it did, once, on a loaded CI machine).
  await expect(s.getByText(/^Imported \d+ trajectories/)).toBeVisible();
  await s.getByTestId('tv-success').selectOption('solved');
  await s.getByTestId('tv-item').filter({ hasText: want.goal }).click();
  await s.getByTestId('tv-next').click();
  await s.getByTestId('tv-next').click();
  await s.getByTestId('tv-speed').selectOption('2');
  await expect(s.getByTestId('tv-position')).toHaveText(`step 3 / ${want.steps.length}`);
  const link = page.url();
  await page.reload();
  expect(page.url()).toBe(link);
  const s2 = page.locator('sw-trajectories');
  await expect(s2.getByTestId('tv-position')).toHaveText(`step 3 / ${want.steps.length}`);
  await expect(s2.locator('sw-step-viewer').getByTestId('tv-goal')).toHaveText(want.goal);
  await expect(s2.getByTestId('tv-success')).toHaveValue('solved');
  await expect(s2.getByTestId('tv-speed')).toHaveValue('2');
  await expect(s2.getByTestId('tv-count')).toHaveText('20 of 40 trajectories');
  // Back/forward-style edits of the hash reach the screen without a reload.
  await page.evaluate(() => { location.hash = location.hash.replace('step=2', 'step=0'); });
  await expect(s2.getByTestId('tv-position')).toHaveText(`step 1 / ${want.steps.length}`);
});

test('the Playground and Compare read and write their parameters through the schema', async ({ page }) => {
  await page.goto('/#/playground?env=household&split=seen-test&task=3&seed=2');
  await expect(page.locator('sw-playground').getByTestId('pg-status')).toHaveText('Playing', { timeout: 60_000 });
  expect(page.url()).toContain('env=household&split=seen-test&task=3&seed=2');
  await page.goto('/#/compare?metric=score&smooth=3');
  await expect(page.locator('sw-compare').getByTestId('cmp-metric')).toHaveValue('score');
  await expect(page.locator('sw-compare').getByTestId('cmp-smooth')).toHaveValue('3');
});
