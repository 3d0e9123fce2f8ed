import { expect, test } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';

test('the shell renders, finds a WebGPU adapter, and the matmul check matches float64', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/#/gpu');
  await expect(page.getByRole('link', { name: /Stepwise/ })).toBeVisible();
  const chip = page.getByTestId('adapter-chip');
  await expect(chip).toBeVisible();
  const adapter = await page.locator('sw-app').getAttribute('data-adapter');
  expect(adapter).toBeTruthy();
  expect(adapter).not.toBe('none');
  console.log(`[e2e] adapter: ${adapter}`);

  const check = page.locator('sw-gpu-check');
  await expect(check).toHaveAttribute('data-state', /passed|failed|error/, { timeout: 150_000 });
  await expect(check).toHaveAttribute('data-state', 'passed');
  const rows = check.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(9); // 3 sizes × (variants + autotuned)
  await expect(check.locator('tbody tr[data-ok="false"]')).toHaveCount(0);
  await screenshot(page, 'shell-gpu-check');
  expect(errors).toEqual([]);
});

test('the page opens no GPU device: the adapter and the check come from the trainer worker', async ({ page }) => {
  // Counts adapter requests made by the page itself (a worker has its own navigator.gpu).
  await page.addInitScript(() => {
    const gpu = navigator.gpu as GPU | undefined;
    if (!gpu) return;
    const original = gpu.requestAdapter.bind(gpu);
    (window as unknown as { __adapters: number }).__adapters = 0;
    gpu.requestAdapter = (options?: GPURequestAdapterOptions) => { (window as unknown as { __adapters: number }).__adapters++; return original(options); };
  });
  await page.goto('/#/gpu');
  await expect(page.getByTestId('adapter-chip')).toBeVisible();
  await expect(page.locator('sw-gpu-check tbody tr').first()).toBeVisible({ timeout: 120_000 });
  await page.goto('/#/train');
  await expect(page.locator('sw-train #f-env')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __adapters: number }).__adapters)).toBe(0);
});

test('a matmul on the trainer worker\'s device returns the numbers a float64 reference computes here', async ({ page }) => {
  await page.goto('/#/gpu');
  const check = page.locator('sw-gpu-check');
  await expect(page.getByTestId('adapter-chip')).toBeVisible();
  const [M, N, K] = [37, 29, 64];
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const a = Array.from({ length: M * K }, rnd), b = Array.from({ length: K * N }, rnd);
  const got = await check.evaluate(
    (el, args) => (el as unknown as { multiply(...x: unknown[]): Promise<number[]> }).multiply(args.a, args.b, args.M, args.N, args.K),
    { a, b, M, N, K },
  );
  expect(got).toHaveLength(M * N);
  let worst = 0;
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let want = 0;
    for (let k = 0; k < K; k++) want += Math.fround(a[i * K + k]) * Math.fround(b[k * N + j]);
    worst = Math.max(worst, Math.abs(got[i * N + j] - want));
  }
  expect(worst).toBeLessThan(1e-5);
});
