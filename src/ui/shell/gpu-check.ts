// The adapter panel: what WebGPU device the lab got, and a live matmul check on it — every kernel
// variant against a float64 reference, with timings — so a user can trust the numbers before
// training on this GPU.

import { LitElement, css, html, nothing } from 'lit';
import { Gpu, type AdapterSummary } from '../../gpu';
import { applicableVariants, prepareMatmul, tunedVariant, type MatmulDims, type MatmulVariant } from '../../kernels/matmul';

export interface CheckRow {
  shape: string;
  variant: string;
  ms: number;
  gflops: number;
  maxRelErr: number;
  ok: boolean;
}

const SIZES = [64, 256, 512];
const SAMPLES = 256;           // output entries compared against float64 per case
const TOLERANCE = 1e-4;        // relative to Σ|a·b| for the sampled entries

function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

export async function runMatmulCheck(gpu: Gpu, onRow: (r: CheckRow) => void): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const n of SIZES) {
    const dims: MatmulDims = { M: n, N: n, K: n, form: 'nn' };
    const a = seeded(n * n, n), b = seeded(n * n, n + 1);
    const A = gpu.tensor(a, [n, n]), B = gpu.tensor(b, [n, n]);
    const pick = await tunedVariant(gpu, dims);
    const variants: (MatmulVariant | 'auto')[] = [...applicableVariants(dims), 'auto'];
    for (const variant of variants) {
      const op = await prepareMatmul(gpu, dims, { variant });
      const C = gpu.empty([n, n]);
      op.record(A, B, C);
      await gpu.done();
      const t0 = performance.now();
      op.record(A, B, C);
      const c = await gpu.read(C);
      const ms = performance.now() - t0;
      let maxRelErr = 0;
      for (let s = 0; s < SAMPLES; s++) {
        const i = (s * 7919) % n, j = (s * 104729) % n;
        let want = 0, scale = 0; // float64 dot product of row i and column j
        for (let k = 0; k < n; k++) {
          want += a[i * n + k] * b[k * n + j];
          scale += Math.abs(a[i * n + k] * b[k * n + j]);
        }
        maxRelErr = Math.max(maxRelErr, Math.abs(c[i * n + j] - want) / (scale + 1e-12));
      }
      const row: CheckRow = {
        shape: `${n}³`, variant: variant === 'auto' ? `autotuned → ${pick}` : variant,
        ms, gflops: (2 * n * n * n) / ms / 1e6, maxRelErr, ok: maxRelErr <= TOLERANCE,
      };
      rows.push(row);
      onRow(row);
      gpu.release(C);
    }
    gpu.release(A, B);
  }
  return rows;
}

export class GpuCheck extends LitElement {
  static override properties = {
    gpu: { attribute: false },
    rows: { state: true },
    running: { state: true },
    error: { state: true },
  };
  gpu: Gpu | null = null;
  rows: CheckRow[] = [];
  running = false;
  error = '';
  private started = false;

  static override styles = css`
    :host { display: grid; grid-template-columns: 340px 1fr; gap: 20px; }
    section { background: var(--sw-panel); border: 1px solid var(--sw-border); border-radius: var(--sw-radius); padding: 18px 20px; }
    h2 { font-size: 15px; margin: 0 0 12px; font-weight: 600; }
    p.lede { color: var(--sw-muted); margin: 0 0 14px; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 14px; margin: 0; }
    dt { color: var(--sw-muted); }
    dd { margin: 0; font-family: var(--sw-mono); font-size: 12.5px; word-break: break-word; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 99px; font-size: 11.5px; background: var(--sw-accent-weak); color: var(--sw-accent); margin-left: 6px; }
    .badge.soft { background: rgba(240,192,90,.14); color: var(--sw-warn); }
    table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--sw-border); }
    th { color: var(--sw-muted); font-weight: 500; font-size: 12.5px; }
    td.num { text-align: right; font-family: var(--sw-mono); font-size: 12.5px; }
    th.num { text-align: right; }
    .ok { color: var(--sw-good); } .bad { color: var(--sw-bad); }
    button { background: var(--sw-accent); color: #0b0e13; border: 0; border-radius: 8px; padding: 8px 14px; font-weight: 600; cursor: pointer; font: inherit; font-weight: 600; }
    button:disabled { opacity: .5; cursor: progress; }
    .head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; }
    .features { color: var(--sw-muted); font-size: 12px; line-height: 1.7; margin-top: 14px; }
    .progress { color: var(--sw-muted); font-size: 12.5px; }
  `;

  override updated(): void {
    if (this.gpu && !this.started) {
      this.started = true;
      void this.run();
    }
  }

  /** Multiplies caller-given matrices on this adapter (used by e2e tests to check numbers independently). */
  async multiply(a: number[], b: number[], M: number, N: number, K: number): Promise<number[]> {
    if (!this.gpu) throw new Error('no GPU');
    const A = this.gpu.tensor(new Float32Array(a), [M, K]), B = this.gpu.tensor(new Float32Array(b), [K, N]);
    const op = await prepareMatmul(this.gpu, { M, N, K, form: 'nn' });
    const C = this.gpu.empty([M, N]);
    op.record(A, B, C);
    const out = Array.from(await this.gpu.read(C));
    this.gpu.release(A, B, C);
    return out;
  }

  async run(): Promise<void> {
    if (!this.gpu || this.running) return;
    this.running = true;
    this.error = '';
    this.rows = [];
    try {
      await runMatmulCheck(this.gpu, (r) => { this.rows = [...this.rows, r]; });
      this.dataset.state = this.rows.every((r) => r.ok) ? 'passed' : 'failed';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.dataset.state = 'error';
    } finally {
      this.running = false;
    }
  }

  private info(i: AdapterSummary) {
    const lim = (k: string) => (i.limits[k] !== undefined ? i.limits[k].toLocaleString('en-US') : '–');
    return html`
      <section>
        <h2>Adapter ${i.isSoftware ? html`<span class="badge soft">software</span>` : html`<span class="badge">hardware</span>`}</h2>
        <dl>
          <dt>Vendor</dt><dd>${i.vendor || '–'}</dd>
          <dt>Architecture</dt><dd>${i.architecture || '–'}</dd>
          <dt>Description</dt><dd>${i.description || i.device || '–'}</dd>
          <dt>Fallback</dt><dd>${i.isFallbackAdapter ? 'yes' : 'no'}</dd>
          <dt>Max binding</dt><dd>${lim('maxStorageBufferBindingSize')} B</dd>
          <dt>Invocations</dt><dd>${lim('maxComputeInvocationsPerWorkgroup')} / workgroup</dd>
          <dt>Workgroup mem</dt><dd>${lim('maxComputeWorkgroupStorageSize')} B</dd>
        </dl>
        <div class="features">${i.features.join(' · ')}</div>
        ${i.isSoftware ? html`<p class="lede" style="margin-top:14px">This is a CPU implementation of WebGPU. Everything works, slowly; the kernels' autotuner picks the variants that suit it.</p>` : nothing}
      </section>`;
  }

  override render() {
    if (!this.gpu) return html`<section><p class="lede">Waiting for the GPU…</p></section>`;
    return html`
      ${this.info(this.gpu.info)}
      <section>
        <div class="head">
          <h2>Matmul check</h2>
          <button @click=${() => this.run()} ?disabled=${this.running}>${this.running ? 'Running…' : 'Run again'}</button>
        </div>
        <p class="lede">Each kernel variant multiplies seeded matrices on this adapter; ${SAMPLES} entries per case are compared with a float64 reference (pass: relative error ≤ ${TOLERANCE}). Times include one readback.</p>
        <table>
          <thead><tr><th>Shape</th><th>Variant</th><th class="num">Time</th><th class="num">GFLOP/s</th><th class="num">Max rel. error</th><th>Check</th></tr></thead>
          <tbody>
            ${this.rows.map((r) => html`<tr data-variant=${r.variant} data-ok=${String(r.ok)}>
              <td>${r.shape}</td><td>${r.variant}</td>
              <td class="num">${r.ms.toFixed(1)} ms</td><td class="num">${r.gflops.toFixed(2)}</td>
              <td class="num">${r.maxRelErr.toExponential(1)}</td>
              <td class=${r.ok ? 'ok' : 'bad'}>${r.ok ? '✓ matches' : '✗ wrong'}</td></tr>`)}
          </tbody>
        </table>
        ${this.running ? html`<p class="progress">Compiling and timing kernels… (${this.rows.length} done)</p>` : nothing}
        ${this.error ? html`<p class="bad">${this.error}</p>` : nothing}
      </section>`;
  }
}
customElements.define('sw-gpu-check', GpuCheck);
