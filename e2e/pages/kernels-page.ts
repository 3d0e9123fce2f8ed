// Test page for e2e/kernels.spec.ts: the same kernel cases vitest runs on Dawn in Node
// (src/kernels/*.cases.ts), run here on the browser's own WebGPU device.

import { testGpu } from '../../src/gpu/testing';
import { caseId, type KernelCase } from '../../src/kernels/cases/suite';

const files = import.meta.glob('../../src/kernels/*.cases.ts', { eager: true, import: 'default' }) as Record<string, KernelCase[]>;
const cases: KernelCase[] = Object.values(files).flat();
const log = document.getElementById('log')!;

export interface CaseResult {
  id: string;
  file: string;
  ok: boolean;
  ms: number;
  error?: string;
}

async function runOne(c: KernelCase): Promise<CaseResult> {
  const t0 = performance.now();
  try {
    await c.run();
    return { id: caseId(c), file: c.file, ok: true, ms: performance.now() - t0 };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { id: caseId(c), file: c.file, ok: false, ms: performance.now() - t0, error };
  }
}

const api = {
  /** The case files this build holds (basename, without .cases.ts) and their case ids. */
  list(): { files: string[]; cases: string[] } {
    const names = Object.keys(files).map((p) => p.replace(/^.*\//, '').replace(/\.cases\.ts$/, '')).sort();
    return { files: names, cases: cases.map(caseId) };
  },
  /** The device the cases run on, as the runtime reports it. */
  async device(): Promise<{ runtime: string; vendor: string; architecture: string; description: string; isFallbackAdapter: boolean }> {
    const i = (await testGpu()).info;
    return { runtime: i.runtime, vendor: i.vendor, architecture: i.architecture, description: i.description, isFallbackAdapter: i.isFallbackAdapter };
  },
  /** Runs every case of one file, in declaration order. */
  async runFile(file: string): Promise<CaseResult[]> {
    const out: CaseResult[] = [];
    for (const c of cases.filter((x) => x.file === file)) {
      const r = await runOne(c);
      out.push(r);
      log.textContent += `${r.ok ? 'ok  ' : 'FAIL'} ${r.ms.toFixed(0).padStart(6)} ms  ${r.id}${r.error ? `\n      ${r.error}` : ''}\n`;
    }
    return out;
  },
};

declare global {
  interface Window {
    stepwiseKernels: typeof api;
  }
}

window.stepwiseKernels = api;
document.body.dataset.ready = '1';
