#!/usr/bin/env node
// npm run bench [-- --json] [-- --only matmul,envs] [-- --quick] [-- --no-write]
//
// Runs the browser suites in one headless Chromium (WebGPU on SwiftShader here) served by Vite,
// and the node suites in this process, then rewrites BENCHMARKS.md from bench/results.json. A run
// limited with --only keeps the other suites' earlier rows (each section states its own date).
// --no-write measures and prints without touching either file (for sizing a suite).
//
// Every suite has a time limit (SUITE_LIMITS_S). A suite that passes it fails and keeps its last
// good rows. Suites are sized to use at most half of their limit, so a machine twice as slow as
// the one that wrote BENCHMARKS.md still finishes; the run prints each suite's time against its
// limit and warns when a suite used more than half of it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from '@playwright/test';
import { register } from 'tsx/esm/api';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const noWrite = args.includes('--no-write');
const onlyArg = args.find((a, i) => args[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg ? onlyArg.replace(/^--only=/, '').split(',').filter(Boolean) : null;
const resultsPath = path.join(root, 'bench', 'results.json');
const log = (m) => { if (!json) console.log(m); else console.error(m); };

const suiteFiles = readdirSync(path.join(root, 'bench', 'suites')).filter((f) => f.endsWith('.ts'));

/**
 * Wall-clock limit per suite, page load and model loading included. A suite is sized to use at
 * most BUDGET_SHARE of it on a machine twice as slow as the one that wrote BENCHMARKS.md; the
 * shares of all suites plus the start-up allowance fit in TOTAL_BUDGET_S, so a full
 * `npm run bench` on such a machine ends within 10 minutes.
 */
// pipeline runs the whole default household run (~1.5-3.5 min on the loaded 2-core machine); its
// room comes from train-step and rollouts. train-step reached 218 s of its 260 s with a 4096-state
// PPO minibatch; at 1024 states it measured 121 s on a moderately loaded host (196 s at 2048 in
// the same conditions; the plans' autotuning at capacity shrinks faster than linearly). rollouts
// measured 13 s (was ~10 s) now that it scores the training distractors too.
const SUITE_LIMITS_S = { matmul: 130, scoring: 100, 'train-step': 260, envs: 60, rollouts: 40, 'sft-step': 320, pipeline: 220 };
/** Starting Vite and Chromium, importing the suites, writing the results. */
const STARTUP_ALLOWANCE_S = 30;
const TOTAL_BUDGET_S = 600;
/** A suite should use at most this share of its limit, leaving room for a machine 2x slower. */
const BUDGET_SHARE = 0.5;
{
  const planned = Object.values(SUITE_LIMITS_S).reduce((a, b) => a + b * BUDGET_SHARE, 0) + STARTUP_ALLOWANCE_S;
  if (planned > TOTAL_BUDGET_S) {
    throw new Error(`bench: half of every suite's limit plus ${STARTUP_ALLOWANCE_S} s for start-up is ${planned} s, over the ${TOTAL_BUDGET_S} s budget of a full run`);
  }
}
function limitOf(name) {
  const s = SUITE_LIMITS_S[name];
  if (s === undefined) throw new Error(`bench: suite "${name}" has no time limit; add it to SUITE_LIMITS_S in bench/run.mjs`);
  return s;
}
/** Seconds each suite took, wall clock, by name. */
const elapsed = {};
const started = new Date();
const rows = [];
const descriptions = {};
let adapterLine = 'unknown';

/** Records a row for `suite` and streams it: a table line, or with --json one JSON object. */
function emit(row, suite, where) {
  const adapter = where === 'browser' ? adapterLine : 'n/a (CPU)';
  rows.push({ ...row, adapter, where, suite });
  if (json) {
    const { bench, impl, shape, gflops, per_s, ms, unit } = row;
    console.log(JSON.stringify({ bench, impl, shape, gflops, per_s, ms, unit, adapter }));
  } else {
    console.log(`  ${row.bench.padEnd(12)} ${row.impl.padEnd(28)} ${row.shape.padEnd(18)} ${fmt(row)}`);
  }
}

async function main() {
  const unregister = register();
  const suites = [];
  // Suite files are named after their suite (the page relies on it too), so --only imports just
  // the suites it names: one suite mid-edit elsewhere cannot stop a run of the others.
  for (const f of suiteFiles) {
    const file = f.replace(/\.ts$/, '');
    if (only && !only.includes(file)) continue;
    const mod = await import(path.join(root, 'bench', 'suites', f));
    if (mod.suite.name !== file) throw new Error(`bench/suites/${f} names its suite "${mod.suite.name}"; it must be "${file}"`);
    limitOf(file);
    suites.push(mod.suite);
  }
  if (suites.length === 0) throw new Error(`no suites match ${only?.join(',')}; have ${suiteFiles.join(', ')}`);
  const browserNames = suites.filter((s) => s.where === 'browser').map((s) => s.name);
  log(`Stepwise bench: ${suites.map((s) => `${s.name} (${s.where})`).join(', ')}`);

  let browserInfo = null;
  if (browserNames.length) {
    // The adapter line is filled from the page before rows arrive, so probe it up front.
    browserInfo = await runBrowserSuitesWithAdapter(browserNames);
  }
  for (const s of suites.filter((s) => s.where === 'node')) {
    log(`suite ${s.name} (node): start, limit ${limitOf(s.name)} s`);
    const t0 = performance.now();
    const run = s.run({
      quick, where: 'node',
      record: (row) => emit(row, s.name, 'node'),
      describe: (bench, d) => { descriptions[bench] = d; },
      log: (m) => log(`  ${m}`),
    }).then(() => ({}), (e) => ({ error: e instanceof Error ? e.stack ?? e.message : String(e) }));
    const result = await withinLimit(run, s.name);
    finishSuite(s.name, 'node', t0, result);
  }
  unregister();

  const machine = machineLine();
  const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : { suites: {} };
  for (const s of suites) {
    if (failures.some((f) => f.startsWith(`${s.name}:`))) continue; // keep its last good rows
    previous.suites[s.name] = {
      date: started.toISOString(), command, machine, where: s.where,
      elapsed_s: Math.round(elapsed[s.name] * 10) / 10, limit_s: limitOf(s.name),
      browser: s.where === 'browser' ? browserInfo?.browserVersion : undefined,
      adapter: s.where === 'browser' ? adapterLine : undefined,
      rows: rows.filter((r) => suiteOwns(s, r)),
      descriptions: Object.fromEntries(Object.entries(descriptions).filter(([b]) => rows.some((r) => r.bench === b && suiteOwns(s, r)))),
    };
  }
  const totalS = (Date.now() - started.getTime()) / 1000;
  if (noWrite) {
    log(`--no-write: BENCHMARKS.md and bench/results.json left as they were (${rows.length} rows, ${totalS.toFixed(0)} s)`);
  } else {
    writeFileSync(resultsPath, JSON.stringify(previous, null, 1) + '\n');
    writeFileSync(path.join(root, 'BENCHMARKS.md'), renderMarkdown(previous));
    log(`wrote BENCHMARKS.md and bench/results.json (${rows.length} rows, ${totalS.toFixed(0)} s)`);
  }
  budgetCheck(suites, totalS);
  if (failures.length) {
    console.error(`bench: ${failures.length} suite(s) failed; their earlier rows were kept:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

function suiteOwns(s, r) { return r.suite === s.name; }

const failures = [];

/** Resolves with the suite's result, or with a time-out error once its limit has passed. */
async function withinLimit(run, name) {
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ error: `timed out after ${limitOf(name)} s` }), limitOf(name) * 1000);
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records how long a suite took and whether it failed; prints its time against its limit. */
function finishSuite(name, where, t0, result) {
  const s = (performance.now() - t0) / 1000;
  elapsed[name] = s;
  const share = s / limitOf(name);
  log(`suite ${name} (${where}): ${s.toFixed(1)} s, ${(share * 100).toFixed(0)}% of its ${limitOf(name)} s limit`);
  if (result.error) {
    failures.push(`${name}: ${result.error}`);
    log(`suite ${name} FAILED: ${result.error}`);
  }
}

/**
 * Warns (on stderr, without failing the run) when a suite used more than its share of its limit
 * (on a machine twice as slow it would time out) or the run took longer than its budget.
 */
function budgetCheck(suites, totalS) {
  const warnings = [];
  for (const s of suites) {
    const t = elapsed[s.name];
    if (t === undefined) continue;
    const limit = limitOf(s.name);
    if (t > limit * BUDGET_SHARE) {
      warnings.push(`${s.name} took ${t.toFixed(1)} s, more than ${BUDGET_SHARE * 100}% of its ${limit} s limit: a machine twice as slow would time out; shrink its workload (time slow peers on a subset and scale)`);
    }
  }
  if (totalS > TOTAL_BUDGET_S) {
    warnings.push(`the whole run took ${totalS.toFixed(0)} s, over the ${TOTAL_BUDGET_S} s budget of a full run`);
  }
  const lines = suites.filter((s) => elapsed[s.name] !== undefined).map((s) => `${s.name} ${elapsed[s.name].toFixed(1)}/${limitOf(s.name)} s`);
  log(`bench: time per suite (used/limit): ${lines.join(', ')}; total ${totalS.toFixed(0)} s of ${TOTAL_BUDGET_S} s`);
  for (const w of warnings) console.error(`bench: budget warning: ${w}`);
}

/** Runs each browser suite in its own page (fresh GPU device, own time limit) of one Chromium. */
async function runBrowserSuitesWithAdapter(names) {
  // Scanning the bench page and suites up front keeps Vite from re-optimising dependencies
  // mid-run; with HMR and watching off, nothing else can reload a page either.
  const server = await createServer({
    root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'error',
    server: { port: 5199, strictPort: false, host: '127.0.0.1', hmr: false, watch: null },
    optimizeDeps: { entries: ['bench/index.html', 'bench/suites/*.ts'] },
  });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const browserVersion = browser.version();
  let adapter = null;
  try {
    for (const name of names) {
      log(`suite ${name} (browser): start, limit ${limitOf(name)} s`);
      const t0 = performance.now();
      const page = await browser.newPage();
      page.on('console', (m) => { if (m.type() === 'error') log(`  [page] ${m.text()}`); });
      page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
      const done = new Promise((resolve) => page.exposeFunction('__benchDone', resolve));
      await page.exposeFunction('__benchAdapter', (line) => { adapterLine = line; });
      await page.exposeFunction('__benchRecord', (row) => emit(row, name, 'browser'));
      await page.exposeFunction('__benchDescribe', (bench, d) => { descriptions[bench] = d; });
      await page.exposeFunction('__benchLog', (m) => log(`  ${m}`));
      // The limit counts from before the page loads: loading the suite's modules is part of its cost.
      const pending = withinLimit(done, name);
      await page.goto(`${url}bench/index.html?suites=${name}${quick ? '&quick=1' : ''}`);
      const result = await pending;
      await page.close();
      finishSuite(name, 'browser', t0, result);
      if (!result.error) adapter = result.adapter;
    }
    return { browserVersion, adapter };
  } finally {
    await browser.close();
    await server.close();
  }
}

function machineLine() {
  const cpus = os.cpus();
  let chromiumVersion = '';
  try { chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { /* reported as missing */ }
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}${chromiumVersion ? ', ' + chromiumVersion : ''}`;
}

function fmt(r) {
  if (r.gflops !== undefined) return `${r.gflops.toFixed(2)} GFLOP/s`;
  if (r.per_s !== undefined) return `${r.per_s >= 100 ? Math.round(r.per_s).toLocaleString('en-US') : r.per_s.toFixed(2)} ${r.unit ?? ''}/s`.replace(' /s', '/s');
  return `${r.ms.toFixed(2)} ms`;
}
function speed(r) {
  if (r.gflops !== undefined) return r.gflops;
  if (r.per_s !== undefined) return r.per_s;
  return r.ms ? 1 / r.ms : NaN;
}

function renderMarkdown(results) {
  const out = ['# Benchmarks', '',
    'Written by `npm run bench` (bench/run.mjs); do not edit by hand. Benchmarks are not tests: they measure.',
    'These machines are noisy and shared, so read the **ratios** (each figure divided by the peer measured in the',
    'same run, on the same shape), not the absolute numbers. `npm run bench -- --json` prints one JSON object per row.', ''];
  for (const [name, s] of Object.entries(results.suites)) {
    out.push(`## ${name}`, '');
    out.push(`- command: \`${s.command}\``, `- date: ${s.date}`, `- machine: ${s.machine}`);
    if (s.adapter) out.push(`- adapter: ${s.adapter}`);
    if (s.elapsed_s !== undefined) out.push(`- time: ${s.elapsed_s.toFixed(0)} s of its ${s.limit_s} s limit`);
    out.push('');
    const benches = [...new Set(s.rows.map((r) => r.bench))];
    for (const bench of benches) {
      const d = s.descriptions?.[bench];
      out.push(`### ${d?.title ?? bench}`, '');
      if (d?.about) out.push(d.about, '');
      const shapes = [...new Set(s.rows.filter((r) => r.bench === bench).map((r) => r.shape))];
      out.push(`| impl | ${shapes.join(' | ')} |`, `|---|${shapes.map(() => '---').join('|')}|`);
      const impls = [...new Set(s.rows.filter((r) => r.bench === bench).map((r) => r.impl))];
      for (const impl of impls) {
        const cells = shapes.map((shape) => {
          const r = s.rows.find((x) => x.bench === bench && x.impl === impl && x.shape === shape);
          if (!r) return '–';
          const base = d?.baseline ? s.rows.find((x) => x.bench === bench && x.impl === d.baseline && x.shape === shape) : undefined;
          const ratio = base && base !== r ? ` (${(speed(r) / speed(base)).toFixed(2)}×)` : base === r ? ' (1×)' : '';
          return `${fmt(r)}${ratio}${r.note ? ` ¹` : ''}`;
        });
        out.push(`| ${impl} | ${cells.join(' | ')} |`);
      }
      const notes = [...new Set(s.rows.filter((r) => r.bench === bench && r.note).map((r) => `${r.impl}: ${r.note}`))];
      if (d?.baseline) out.push('', `Ratios in parentheses are speed relative to **${d.baseline}** on the same shape (higher is faster).`);
      if (notes.length) out.push('', ...notes.map((n) => `¹ ${n}`));
      out.push('');
    }
  }
  return out.join('\n');
}

// Exit explicitly: a node suite that timed out may still hold workers or timers open.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); },
);
