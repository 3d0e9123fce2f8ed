// The adapter panel: what WebGPU device the trainer worker got, and a live matmul check on it —
// every kernel variant against a float64 reference, with timings — so a user can trust the
// numbers before training on this GPU. The check runs in the trainer worker, on the device that
// trains (the page holds none); rows arrive as the protocol's progress reports.

import { LitElement, css, html, nothing } from 'lit';
import type { AdapterSummary } from '../../gpu';
import { CHECK_SAMPLES as SAMPLES, CHECK_TOLERANCE as TOLERANCE } from '../../run/gpu-check';
import type { MatmulCheckRow } from '../../run/protocol';
import { describeFailure, trainer } from '../trainer-client';

export class GpuCheck extends LitElement {
  static override properties = {
    adapter: { attribute: false },
    rows: { state: true },
    running: { state: true },
    error: { state: true },
  };
  adapter: AdapterSummary | null = null;
  rows: MatmulCheckRow[] = [];
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
    if (this.adapter && !this.started) {
      this.started = true;
      void this.run();
    }
  }

  /** Multiplies caller-given matrices on this adapter (used by e2e tests to check numbers independently). */
  async multiply(a: number[], b: number[], M: number, N: number, K: number): Promise<number[]> {
    const r = await trainer().request('gpu-check', { probe: { a, b, M, N, K } });
    if (!r.product) throw new Error('the trainer returned no product');
    return r.product;
  }

  async run(): Promise<void> {
    if (!this.adapter || this.running) return;
    this.running = true;
    this.error = '';
    this.rows = [];
    try {
      await trainer().request('gpu-check', { matmul: true }, { onProgress: (r) => { this.rows = [...this.rows, r]; } });
      this.dataset.state = this.rows.every((r) => r.ok) ? 'passed' : 'failed';
    } catch (e) {
      this.error = describeFailure(e).message;
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
    if (!this.adapter) return html`<section><p class="lede">Waiting for the GPU…</p></section>`;
    return html`
      ${this.info(this.adapter)}
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
