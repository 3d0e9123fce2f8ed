// Browser side of the bench harness: runs the requested browser suites in this page and streams
// rows back to bench/run.mjs through functions it exposes on window.

import { acquireGpu, describeAdapter } from '../src/gpu';
import type { BenchContext, BenchDescription, BenchRow, BenchSuite } from './suite-types';

interface Harness {
  __benchRecord?(row: BenchRow): void;
  __benchDescribe?(bench: string, d: BenchDescription): void;
  __benchLog?(message: string): void;
  __benchAdapter?(line: string): void;
  __benchDone?(result: { error?: string; adapter?: unknown }): void;
}
const w = window as unknown as Harness;
const logEl = document.getElementById('log')!;

const modules = import.meta.glob<{ suite: BenchSuite }>('./suites/*.ts');

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const only = params.get('suites')?.split(',').filter(Boolean);
  const quick = params.get('quick') === '1';
  const probe = await acquireGpu();
  const adapter = probe.info;
  probe.destroy();
  await w.__benchAdapter?.(describeAdapter(adapter));
  const ctx: BenchContext = {
    quick,
    where: 'browser',
    record: (row) => w.__benchRecord?.(row),
    describe: (bench, d) => w.__benchDescribe?.(bench, d),
    log: (m) => { logEl.textContent += m + '\n'; w.__benchLog?.(m); },
  };
  // Suite files are named after their suite; only the requested ones are imported, because node
  // suites import Node built-ins that cannot load in a page.
  for (const [path, load] of Object.entries(modules)) {
    const file = path.replace(/^.*\//, '').replace(/\.ts$/, '');
    if (!only || !only.includes(file)) continue;
    const { suite } = await load();
    if (suite.where !== 'browser') continue;
    // Shown in the page only: bench/run.mjs times each suite (page load included) against its limit.
    logEl.textContent += `suite ${suite.name}: start (${path})\n`;
    const t0 = performance.now();
    await suite.run(ctx);
    logEl.textContent += `suite ${suite.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s in the page\n`;
  }
  w.__benchDone?.({ adapter });
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
  w.__benchDone?.({ error: msg });
});
