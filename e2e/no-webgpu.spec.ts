import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { screenshot } from './fixtures';

// The same Chromium with its WebGPU adapter switched off: the lab must say so and say how to fix
// it, instead of showing a broken lab.
const WEBGPU_FLAGS = /webgpu|vulkan/i;
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS.filter((a) => !WEBGPU_FLAGS.test(a)), '--disable-gpu', '--disable-features=WebGPU,Vulkan'],
  },
});

test('without WebGPU the lab shows what is wrong and how to enable it, and the Playground still works', async ({ page }) => {
  // The Playground needs no GPU: it opens, with the header saying WebGPU is unavailable.
  await page.goto('/#/playground');
  await expect(page.getByText('WebGPU unavailable').first()).toBeVisible();
  await expect(page.getByTestId('pg-reset')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.goto('/#/gpu');
  const panel = page.getByRole('alert');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('WebGPU unavailable');
  await expect(panel).toContainText(/chrome:\/\/gpu|enable-unsafe-webgpu/);
  await expect(page.locator('sw-app')).toHaveAttribute('data-adapter', 'none');
  await expect(page.getByText('WebGPU unavailable').first()).toBeVisible();
  await screenshot(page, 'shell-no-webgpu');

  // Train needs the GPU and says how to enable it; Trajectories and Compare need none and work.
  await page.goto('/#/train');
  await expect(page.getByRole('alert')).toContainText('WebGPU unavailable');
  await page.goto('/#/trajectories');
  await expect(page.locator('sw-trajectories').getByText('No trajectories here yet')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.goto('/#/compare');
  await expect(page.locator('sw-compare').getByText('No runs stored yet.')).toBeVisible();
});
