// The Playground in real Chromium, from the production build: one household task played to
// success through the UI (clicking admissible actions, typing a command, using the expert hint),
// on the env worker pool (a module Web Worker), with environment text shown as text.

import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';

const pg = (page: Page) => page.locator('sw-playground');

test('plays a household task to success through the UI', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#/playground?env=household&split=seen-test&task=0&seed=0');
  const p = pg(page);
  await expect(p.getByTestId('pg-status')).toHaveText('Playing', { timeout: 60_000 });
  await expect(p.getByTestId('pg-goal')).toHaveText('put a hot apple in fridge.');
  await expect(p.getByTestId('pg-log')).toContainText('You are in the middle of a room. Looking quickly around you, you see');

  // The action filter narrows the list (and ignores case).
  const filter = p.getByLabel('Filter actions');
  await filter.fill('GO TO COUNTER');
  await expect(p.getByTestId('pg-action').first()).toContainText('go to countertop');
  await expect(p.getByTestId('pg-action').filter({ hasNotText: 'go to countertop' })).toHaveCount(0);
  await filter.fill('');

  // A typed command that is not a command at all: "Nothing happens.", and the markup stays text.
  await p.getByTestId('pg-input').fill('<b>dance</b>');
  await p.getByTestId('pg-input').press('Enter');
  const invalid = p.getByTestId('pg-entry').last();
  await expect(invalid).toContainText('Nothing happens.');
  await expect(invalid).toContainText('<b>dance</b>');
  await expect(invalid.locator('b')).toHaveCount(0);
  await expect(p.getByTestId('pg-steps')).toContainText('1');

  // A typed valid command.
  await p.getByTestId('pg-input').fill('go to countertop 1');
  await p.getByTestId('pg-step').click();
  await expect(p.getByTestId('pg-entry').last()).toContainText('You arrive at countertop 1. On the countertop 1, you see a apple 1');

  // Then follow the expert: reveal the hint, and click the same action in the admissible list.
  for (let i = 0; i < 12; i++) {
    if ((await p.getByTestId('pg-status').textContent()) !== 'Playing') break;
    const before = await p.getByTestId('pg-entry').count();
    await p.getByTestId('pg-hint').click();
    const hint = (await p.getByTestId('pg-hint-action').textContent())?.trim() ?? '';
    expect(hint).not.toBe('');
    const chip = p.getByTestId('pg-action').filter({ hasText: new RegExp(`^${hint.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) });
    await expect(chip).toHaveCount(1);
    await chip.click();
    await expect(p.getByTestId('pg-entry')).toHaveCount(before + 1);
  }
  await expect(p.getByTestId('pg-status')).toHaveText('Won');
  await expect(p.getByTestId('pg-reward')).toHaveText('1');
  await expect(p.getByTestId('pg-valid')).toHaveText('7 / 8');
  await expect(p.getByTestId('pg-banner')).toContainText('Task complete');
  await expect(p.getByTestId('pg-entry').last()).toContainText('You put the apple 1 in/on the fridge 1.');
  // The selection is in the URL, so the link reproduces the episode.
  expect(page.url()).toContain('env=household');
  expect(page.url()).toContain('task=0');
  await screenshot(page, 'playground-household-won');
  expect(errors).toEqual([]);
});
