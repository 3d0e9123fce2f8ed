// Every screen at 1280×720 and 1920×1080 with data in it: axe-core finds no serious or critical
// accessibility violation, and a screenshot is saved (e2e/screenshots/<screen>-<width>.png).

import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';
import { FIXTURE, RUNS_JSON, SIZES, STEPS_JSONL, expectAccessible, importFile } from './lab';

/** Puts the fixtures into this page's store: runs for Compare/Train, trajectories for the viewer. */
async function seed(page: Page): Promise<void> {
  await page.goto('/#/compare');
  await importFile(page, 'cmp-import', 'runs.json', RUNS_JSON);
  await expect(page.locator('sw-compare').getByTestId('cmp-notice')).toBeVisible();
  await page.goto('/#/trajectories');
  await importFile(page, 'tv-import', 'household-fixture.jsonl', STEPS_JSONL);
  await expect(page.locator('sw-trajectories').getByTestId('tv-notice')).toBeVisible();
}

const SCREENS: { id: string; open: (page: Page) => Promise<void> }[] = [
  {
    id: 'playground',
    open: async (page) => {
      await page.goto('/#/playground?env=household&split=seen-test&task=0&seed=0');
      await expect(page.locator('sw-playground').getByTestId('pg-status')).toHaveText('Playing', { timeout: 60_000 });
    },
  },
  {
    id: 'train',
    open: async (page) => {
      await page.goto('/#/train');
      const t = page.locator('sw-train');
      await t.getByTestId('train-view').selectOption({ label: 'spa · household · seed 1' });
      await expect(t.locator('sw-train-charts sw-line-chart canvas')).toHaveCount(5);
    },
  },
  {
    id: 'trajectories',
    open: async (page) => {
      const want = FIXTURE.trajectories[5];
      await page.goto(`/#/trajectories?traj=${encodeURIComponent(want.id)}&step=2`);
      await expect(page.locator('sw-trajectories').getByTestId('tv-position')).toHaveText(`step 3 / ${want.steps.length}`);
    },
  },
  {
    id: 'compare',
    open: async (page) => {
      await page.goto('/#/compare');
      await expect(page.locator('sw-compare').getByTestId('cmp-results')).toBeVisible();
    },
  },
  {
    id: 'gpu',
    open: async (page) => {
      await page.goto('/#/gpu');
      await expect(page.locator('sw-gpu-check tbody tr').first()).toBeVisible({ timeout: 120_000 });
    },
  },
];

test('every screen passes axe and is captured at both sizes', async ({ page }) => {
  test.setTimeout(400_000);
  const errors = collectErrors(page);
  await seed(page);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const s of SCREENS) {
      await test.step(`${s.id} at ${size.width}×${size.height}`, async () => {
        await s.open(page);
        await expectAccessible(page, `${s.id} at ${size.width}×${size.height}`);
        await screenshot(page, `${s.id}-${size.width}`);
      });
    }
  }
  expect(errors).toEqual([]);
});
