#!/usr/bin/env node
// The test command behind `npm test`: unit tests (vitest, Node + Dawn/SwiftShader) and e2e tests
// (Playwright, the built app in Debian's Chromium), then one closing line summed over both:
//   N passed, N failed
// The same line is written to test-results/summary.txt for .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-results');
mkdirSync(out, { recursive: true });
const vitestJson = path.join(out, 'vitest.json');
const pwJson = path.join(out, 'playwright.json');
for (const f of [vitestJson, pwJson]) rmSync(f, { force: true });

const env = { ...process.env };
// Dawn in Node needs the Vulkan loader; Chromium ships one next to its SwiftShader ICD, which
// serves when Debian's libvulkan1 is absent.
if (!existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') && existsSync('/usr/lib/chromium/libvulkan.so.1')) {
  env.LD_LIBRARY_PATH = ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':');
}

function step(title, cmd, args, extraEnv = {}) {
  console.log(`\n[stepwise] ${title}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  console.log(`[stepwise] ${title}: exit ${r.status ?? r.signal} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return r.status === 0;
}

const only = process.argv[2]; // optional: 'unit' or 'e2e'
let passed = 0, failed = 0;

if (!only || only === 'unit') {
  // Strict TypeScript over the whole tree counts as one test: a type error is a failure.
  if (step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])) passed += 1;
  else failed += 1;
  step('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
  if (existsSync(vitestJson)) {
    const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    // A file that failed to load has no test results but is a failure all the same.
    failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    failed += r.numPendingTests + (r.numTodoTests ?? 0); // skipped tests are defects here
  } else {
    console.log('[stepwise] vitest wrote no report: counting the unit run as one failure');
    failed += 1;
  }
}

if (!only || only === 'e2e') {
  const built = step('build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
  if (!built) failed += 1;
  else {
    step('e2e tests', 'npx', ['playwright', 'test'], { STEPWISE_PW_REPORT: pwJson });
    if (existsSync(pwJson)) {
      const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
      passed += s.expected + s.flaky;
      failed += s.unexpected + s.skipped;
      if (s.expected + s.unexpected + s.flaky === 0) failed += 1; // ran nothing: the server or config broke
    } else {
      console.log('[stepwise] Playwright wrote no report: counting the e2e run as one failure');
      failed += 1;
    }
  }
}

const summary = `${passed} passed, ${failed} failed`;
writeFileSync(path.join(out, 'summary.txt'), summary + '\n');
console.log(`\n${summary}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
