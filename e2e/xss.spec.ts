// Markup in the environment's own text never runs (issue 11, Safety): a WebShop episode whose
// product titles carry <img src=x onerror=…>, rendered by the environment itself
// (make-xss-fixture.ts), is imported into Trajectories and stepped through; the titles show as
// text, no <img src=x> element exists anywhere in the page (shadow roots included), and the handler
// never ran.

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors } from './fixtures';
import { FIXTURE, importFile } from './lab';

const XSS = FIXTURE.xss;
const JSONL = readFileSync(new URL('./data/webshop-xss.jsonl', import.meta.url), 'utf8');

/** <img src=x> elements in the document and every shadow root. */
const injectedImages = (page: Page) => page.evaluate(() => {
  let n = 0;
  const walk = (root: Document | ShadowRoot) => root.querySelectorAll('*').forEach((el) => {
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') n++;
    if (el.shadowRoot) walk(el.shadowRoot);
  });
  walk(document);
  return n;
});
const fired = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: number }).__xss);

test('markup in a webshop product title renders as text and never runs', async ({ page }) => {
  const errors = collectErrors(page);
  expect(JSONL).toContain(XSS.replace(/"/g, '\\"'));
  await page.goto('/#/trajectories');
  await importFile(page, 'tv-import', 'webshop-xss.jsonl', JSONL);
  const s = page.locator('sw-trajectories');
  await expect(s.getByTestId('tv-notice')).toBeVisible();

  // The import opens its trajectory at step 1; step 2 reads the search results page, where every
  // product title starts with the markup.
  await expect(s.getByTestId('tv-position')).toHaveText('step 1 / 5');
  await expect(s.locator('sw-step-viewer').getByTestId('tv-goal')).toContainText('leggings');
  await s.getByTestId('tv-next').focus();
  await page.keyboard.press('ArrowRight');
  const viewer = s.locator('sw-step-viewer');
  await expect(s.getByTestId('tv-position')).toHaveText('step 2 / 5');
  const obs = viewer.getByTestId('tv-observation');
  await expect(obs).toContainText(`[SEP] ${XSS} `);
  expect(((await obs.textContent()) ?? '').split(XSS).length - 1, 'titles on the results page').toBeGreaterThanOrEqual(5);
  // The item page (step 3) shows the title again, among the options.
  await page.keyboard.press('ArrowRight');
  await expect(s.getByTestId('tv-position')).toHaveText('step 3 / 5');
  await expect(viewer.getByTestId('tv-observation')).toContainText(XSS);

  await page.waitForTimeout(500); // a broken image would have fired its handler by now
  expect(await fired(page)).toBeUndefined();
  expect(await injectedImages(page)).toBe(0);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
