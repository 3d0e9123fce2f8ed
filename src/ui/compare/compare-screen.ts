// The Compare screen: runs side by side as a table, one metric's curves overlaid, and the paper's
// results table (methods × environment and split, mean ± std over seeds, from the runs'
// evaluation rows). Tables export as CSV, the plot as PNG; runs export and import as run bundles
// (run-bundle.ts), validated whole, so a malformed file changes nothing.

import { LitElement, css, html, nothing } from 'lit';
import type { MetricRow, RunRecord } from '../../run/persistence/store';
import { METRICS } from '../../run/protocol';
import type { ValuesOf } from '../../run/config-fields';
import '../charts/line-chart';
import { PALETTE, type LineChart } from '../charts/line-chart';
import { download, downloadDataUrl, fileStem, pickedText } from '../lab/files';
import { alignRuns, formatCell, lastValue, metricNames, resultsTable, toCsv, type ResultRow } from '../lab/metrics';
import { labStore } from '../lab/store';
import { labStyles } from '../lab/styles';
import { describeFailure } from '../trainer-client';
import { COMPARE_STATE, UrlState } from '../url-state';
import { bundlesToJson, parseBundles, toBundle } from './run-bundle';

type State = ValuesOf<typeof COMPARE_STATE.params>;

interface LoadedRun { run: RunRecord; rows: MetricRow[] }

/** Columns of the side-by-side table: the last value of each. */
const SIDE_BY_SIDE: { name: string; label: string; percent?: boolean }[] = [
  { name: METRICS.success, label: 'success', percent: true },
  { name: METRICS.grounding, label: 'grounding', percent: true },
  { name: METRICS.score, label: 'score' },
  { name: METRICS.estMseHeldOut, label: 'est. MSE held-out' },
  { name: METRICS.entropy, label: 'entropy' },
  { name: METRICS.approxKl, label: 'approx KL' },
];

const fmt = (x: number | null, percent = false): string => (x === null ? '–' : percent ? `${(x * 100).toFixed(1)}%` : x.toPrecision(3));

export class CompareScreen extends LitElement {
  static override properties = {
    state: { state: true },
    runs: { state: true },
    error: { state: true },
    notice: { state: true },
  };
  state: State;
  runs: LoadedRun[] = [];
  error = '';
  notice = '';
  private readonly url = new UrlState(COMPARE_STATE);
  private unwatch: (() => void) | null = null;

  static override styles = [labStyles, css`
    .top { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; margin-bottom: 14px; }
    .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
    .wide { grid-column: 1 / -1; }
    .runs { display: grid; gap: 4px; max-height: 220px; overflow: auto; }
    .runs label { display: flex; gap: 8px; align-items: center; font-size: 12.5px; }
    .swatch { width: 10px; height: 10px; border-radius: 2px; flex: none; }
    .head { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-bottom: 8px; }
    .head h2 { margin: 0; }
    .scroll { overflow-x: auto; }
    caption { text-align: left; color: var(--sw-muted); font-size: 12px; padding-bottom: 6px; caption-side: bottom; padding-top: 6px; }
  `];

  constructor() {
    super();
    this.state = this.url.read().values;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const read = this.url.read();
    this.state = read.values;
    if (read.issues.length) this.notice = `Ignored in the link: ${read.issues.map((i) => i.message).join('; ')}`;
    this.unwatch = this.url.watch((s) => { this.state = s.values; });
    void this.load();
  }

  override disconnectedCallback(): void {
    this.unwatch?.();
    super.disconnectedCallback();
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    this.url.write(this.state);
  }

  private async load(): Promise<void> {
    try {
      const store = await labStore();
      const runs = await store.listRuns();
      this.runs = await Promise.all(runs.map(async (run) => ({ run, rows: await store.metrics(run.id) })));
      this.dataset.runs = String(this.runs.length);
    } catch (e) {
      this.error = `Could not open the run store: ${describeFailure(e).message}`;
    }
  }

  /** The runs chosen in the URL: all when the parameter is empty, none when it is only ','. */
  private get chosen(): LoadedRun[] {
    if (!this.state.runs) return this.runs;
    const ids = this.state.runs.split(',').filter(Boolean);
    return this.runs.filter((r) => ids.includes(r.run.id));
  }

  private toggleRun(id: string, on: boolean): void {
    const current = new Set(this.chosen.map((r) => r.run.id));
    if (on) current.add(id); else current.delete(id);
    const all = current.size === this.runs.length;
    this.set({ runs: all ? '' : this.runs.filter((r) => current.has(r.run.id)).map((r) => r.run.id).join(',') || ',' });
  }

  private async onImport(e: Event): Promise<void> {
    const picked = await pickedText(e.target as HTMLInputElement);
    if (!picked) return;
    this.error = '';
    this.notice = '';
    let bundles;
    try {
      bundles = parseBundles(picked.text);
    } catch (err) {
      this.error = `${picked.name}: cannot import runs: ${describeFailure(err).message}; nothing was imported`;
      return;
    }
    const store = await labStore();
    const existing = new Set(this.runs.map((r) => r.run.id));
    const clash = bundles.find((b) => existing.has(b.run.id));
    if (clash) {
      this.error = `${picked.name}: a run with id ${clash.run.id} is already stored; nothing was imported`;
      return;
    }
    const written: string[] = [];
    try {
      for (const b of bundles) {
        const now = new Date().toISOString();
        await store.putRun({ ...b.run, createdAt: b.run.createdAt || now, updatedAt: now });
        written.push(b.run.id);
        await store.appendMetrics(b.run.id, b.metrics);
      }
    } catch (err) {
      // All or nothing: take back what this import wrote.
      for (const id of written) await store.deleteRun(id).catch(() => {});
      this.error = `${picked.name}: ${describeFailure(err).message}`;
      return;
    }
    this.notice = `Imported ${bundles.length} run${bundles.length === 1 ? '' : 's'} from ${picked.name}.`;
    await this.load();
  }

  private exportRuns(): void {
    const chosen = this.chosen;
    download(`stepwise-runs-${chosen.length}.json`, bundlesToJson(chosen.map((r) => toBundle(r.run, r.rows))), 'application/json');
  }

  private sideBySideCsv(): string {
    return toCsv(['run', 'method', 'env', 'seed', 'iterations', ...SIDE_BY_SIDE.map((c) => c.name)],
      this.chosen.map((r) => [r.run.label, r.run.config.reward, r.run.config.env, r.run.config.seed, r.rows.filter((x) => x.stage !== 'eval').length,
        ...SIDE_BY_SIDE.map((c) => lastValue(r.rows, c.name))]));
  }

  private resultsCsv(rows: ResultRow[]): string {
    return toCsv(['env', 'split', 'method', 'seeds', 'success_mean', 'success_std', 'grounding_mean', 'grounding_std', 'score_mean', 'score_std'],
      rows.map((r) => [r.env, r.split, r.method, r.seeds.join(' '), r.success.mean, r.success.std, r.grounding.mean, r.grounding.std, r.score.mean, r.score.std]));
  }

  private exportPng(): void {
    const chart = this.renderRoot.querySelector<LineChart>('sw-line-chart');
    if (chart) downloadDataUrl(`${fileStem(this.state.metric)}.png`, chart.toPng());
  }

  override render() {
    const chosen = this.chosen;
    const names = [...new Set([METRICS.success, ...this.runs.flatMap((r) => metricNames(r.rows))])].filter((n) => n !== 'seed');
    const aligned = alignRuns(chosen, this.state.metric, this.state.smooth);
    const color = (id: string) => PALETTE[this.runs.findIndex((r) => r.run.id === id) % PALETTE.length];
    const results = resultsTable(chosen.map((r) => ({ config: r.run.config, rows: r.rows })));
    const columns = [...new Map(results.map((r) => [`${r.env}\u0000${r.split}`, { env: r.env, split: r.split }])).values()];
    const methods = [...new Set(results.map((r) => r.method))];
    const cellOf = (method: string, env: string, split: string) => results.find((r) => r.method === method && r.env === env && r.split === split);
    return html`
      ${this.notice ? html`<p class="note" role="status" data-testid="cmp-notice">${this.notice}</p>` : nothing}
      ${this.error ? html`<p class="alert" role="alert" data-testid="cmp-error">${this.error}</p>` : nothing}
      <div class="top">
        <label class="file">Import runs…<input type="file" data-testid="cmp-import" accept=".json,application/json" @change=${(e: Event) => void this.onImport(e)} /></label>
        <button data-testid="cmp-export-runs" ?disabled=${chosen.length === 0} @click=${() => this.exportRuns()}>Export ${chosen.length} run${chosen.length === 1 ? '' : 's'}</button>
        <span class="muted" style="font-size:12.5px">Run bundles (JSON) hold a run's config and metrics; train runs or import them to compare.</span>
      </div>
      <div class="grid">
        <section class="panel" aria-label="Runs">
          <h2>Runs</h2>
          ${this.runs.length === 0 ? html`<p class="lede">No runs stored yet.</p>` : nothing}
          <div class="runs" data-testid="cmp-runs">
            ${this.runs.map((r) => html`<label><input type="checkbox" .checked=${chosen.includes(r)} @change=${(e: Event) => this.toggleRun(r.run.id, (e.target as HTMLInputElement).checked)} />
              <span class="swatch" style=${`background:${color(r.run.id)}`}></span><span>${r.run.label}</span></label>`)}
          </div>
        </section>
        <section class="panel" aria-label="Curves">
          <div class="head">
            <h2>Curves</h2>
            <div class="row">
              <label class="field" style="grid-auto-flow:column;align-items:center"><span>Metric</span>
                <select data-testid="cmp-metric" @change=${(e: Event) => this.set({ metric: (e.target as HTMLSelectElement).value })}>
                  ${[...new Set([...names, this.state.metric])].map((n) => html`<option value=${n} ?selected=${n === this.state.metric}>${n}</option>`)}
                </select></label>
              <label class="field" style="grid-auto-flow:column;align-items:center"><span>Smooth</span>
                <input type="number" min="1" max="50" style="width:64px" .value=${String(this.state.smooth)} data-testid="cmp-smooth"
                  @change=${(e: Event) => { const n = Math.round(Number((e.target as HTMLInputElement).value)); if (n >= 1 && n <= 50) this.set({ smooth: n }); }} /></label>
              <button data-testid="cmp-png" @click=${() => this.exportPng()}>PNG</button>
            </div>
          </div>
          <sw-line-chart .heading=${this.state.metric} .x=${aligned.x}
            .series=${chosen.map((r, i) => ({ label: r.run.label, values: aligned.values[i], color: color(r.run.id) }))}></sw-line-chart>
        </section>
        <section class="panel wide" aria-label="Side by side">
          <div class="head"><h2>Side by side</h2>
            <button data-testid="cmp-csv-runs" ?disabled=${chosen.length === 0} @click=${() => download('stepwise-runs.csv', this.sideBySideCsv(), 'text/csv')}>CSV</button></div>
          <div class="scroll"><table data-testid="cmp-table">
            <thead><tr><th scope="col">Run</th><th scope="col">Method</th><th scope="col">Env</th><th scope="col" class="num">Seed</th><th scope="col" class="num">Iterations</th>
              ${SIDE_BY_SIDE.map((c) => html`<th scope="col" class="num">${c.label}</th>`)}</tr></thead>
            <tbody>${chosen.map((r) => html`<tr>
              <td>${r.run.label}</td><td>${r.run.config.reward}</td><td>${r.run.config.env}</td><td class="num">${r.run.config.seed}</td>
              <td class="num">${r.rows.filter((x) => x.stage !== 'eval').length}</td>
              ${SIDE_BY_SIDE.map((c) => html`<td class="num">${fmt(lastValue(r.rows, c.name), c.percent)}</td>`)}</tr>`)}</tbody>
          </table></div>
        </section>
        <section class="panel wide" aria-label="Results">
          <div class="head"><h2>Results (evaluation, mean ± std over seeds)</h2>
            <button data-testid="cmp-csv-results" ?disabled=${results.length === 0} @click=${() => download('stepwise-results.csv', this.resultsCsv(results), 'text/csv')}>CSV</button></div>
          ${results.length === 0 ? html`<p class="lede">No evaluation rows among the chosen runs yet: a run's final evaluation fills this table.</p>` : html`
          <div class="scroll"><table data-testid="cmp-results">
            <caption>Success rate and grounding accuracy in %, greedy evaluation; n = number of seeds.</caption>
            <thead>
              <tr><th scope="col" rowspan="2">Method</th>${columns.map((c) => html`<th scope="colgroup" colspan="2" class="num">${c.env} · ${c.split}</th>`)}</tr>
              <tr>${columns.map(() => html`<th scope="col" class="num">success</th><th scope="col" class="num">grounding</th>`)}</tr>
            </thead>
            <tbody>${methods.map((m) => html`<tr><th scope="row">${m}</th>${columns.map((c) => {
              const cell = cellOf(m, c.env, c.split);
              return html`<td class="num" title=${cell ? `seeds ${cell.seeds.join(', ')}` : ''}>${cell ? `${formatCell(cell.success)} (n=${cell.success.n})` : '–'}</td>
                <td class="num">${cell ? formatCell(cell.grounding) : '–'}</td>`;
            })}</tr>`)}</tbody>
          </table></div>`}
        </section>
      </div>`;
  }
}
customElements.define('sw-compare', CompareScreen);
