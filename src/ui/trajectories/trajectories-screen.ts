// The Trajectories screen: every stored trajectory of a run in a virtualised list, filtered by
// run, iteration, split and outcome, and a step-through viewer of the one picked (←/→ or j/k,
// play/pause at a chosen speed, "branch from here" through the trainer). Import takes the
// pipeline's formats (run/export.ts): a file is validated whole before anything is written, so a
// malformed one shows what is wrong and changes nothing. Export writes the filtered list.

import { LitElement, css, html, nothing } from 'lit';
import '@lit-labs/virtualizer';
import type { SplitName } from '../../envs/env';
import { ENV_REGISTRY } from '../../envs/registry';
import type { Trajectory } from '../../rl/trajectory';
import { defaultRunConfig, type RunConfig } from '../../run/config';
import { EXPORT_FORMATS, FORMAT_EXTENSION, exportTrajectories, importTrajectories, type ExportFormat } from '../../run/export';
import type { ValuesOf } from '../../run/config-fields';
import type { StepAnnotation } from '../../run/formats/steps-jsonl';
import type { RunRecord } from '../../run/persistence/store';
import type { BranchResult } from '../../run/protocol';
import { download, fileStem, pickedText } from '../lab/files';
import { OUTCOME_BADGE, OUTCOME_LABEL, outcomeOf, outcomeText } from '../lab/outcome';
import { importRunId, labStore } from '../lab/store';
import { labStyles } from '../lab/styles';
import { describeFailure, trainer } from '../trainer-client';
import { SPEEDS, TRAJECTORIES_STATE, TRAJECTORY_SUCCESS, UrlState } from '../url-state';
import './step-viewer';
import { creditOf, filterTrajectories, recordedAnnotations, splitOf, type CreditResult } from './trajectory-view';

const FORMAT_LABEL: Record<ExportFormat, string> = { steps: 'per-step JSONL', spa: 'SPA-RL JSON', sharegpt: 'ShareGPT JSON', verl: 'verl JSONL' };
type State = ValuesOf<typeof TRAJECTORIES_STATE.params>;

export class TrajectoriesScreen extends LitElement {
  static override properties = {
    state: { state: true },
    runs: { state: true },
    trajs: { state: true },
    error: { state: true },
    notice: { state: true },
    playing: { state: true },
    importFormat: { state: true },
    exportFormat: { state: true },
    branched: { state: true },
    branching: { state: true },
  };
  state: State;
  runs: RunRecord[] = [];
  trajs: Trajectory[] = [];
  error = '';
  notice = '';
  playing = false;
  importFormat: ExportFormat = 'steps';
  exportFormat: ExportFormat = 'steps';
  /** The last branch the trainer played, shown beside the original. */
  branched: (BranchResult & { step: number }) | null = null;
  branching = false;

  private readonly url = new UrlState(TRAJECTORIES_STATE);
  private unwatch: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private loadedRun = '';
  /** Per-step training values recorded by imported per-step JSONL files, by run then trajectory. */
  private readonly recorded = new Map<string, Map<string, (StepAnnotation | undefined)[]>>();
  private creditCache = new Map<string, CreditResult>();

  static override styles = [labStyles, css`
    .layout { display: grid; grid-template-columns: minmax(300px, 380px) minmax(0, 1fr); gap: 16px; align-items: start; }
    .filters { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-bottom: 10px; }
    .filters .field select { width: 100%; }
    .io { display: grid; gap: 8px; margin-bottom: 10px; padding-bottom: 10px; border-bottom: 1px solid var(--sw-border); }
    .io .row select { flex: 1; }
    lit-virtualizer { height: calc(100vh - 390px); min-height: 200px; border: 1px solid var(--sw-border); border-radius: 8px; }
    .item { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; width: 100%; text-align: left; padding: 7px 10px; border: 0; border-bottom: 1px solid var(--sw-border); border-radius: 0; background: none; font-weight: 400; }
    .item[aria-pressed='true'] { background: var(--sw-accent-weak); box-shadow: inset 3px 0 0 var(--sw-accent); }
    .item .goal { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .item .meta { grid-column: 1 / -1; color: var(--sw-muted); font-size: 11.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 10px; }
    .controls input[type=range] { flex: 1; min-width: 120px; accent-color: var(--sw-accent); }
    .count { color: var(--sw-muted); font-size: 12px; margin: 0 0 6px; }
    kbd { font-family: var(--sw-mono); font-size: 11px; border: 1px solid var(--sw-border); border-radius: 4px; padding: 0 4px; }
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
    this.unwatch = this.url.watch((s) => { this.state = s.values; void this.load(); });
    this.addEventListener('keydown', this.onKey);
    void this.refreshRuns();
  }

  override disconnectedCallback(): void {
    this.unwatch?.();
    this.removeEventListener('keydown', this.onKey);
    this.stop();
    super.disconnectedCallback();
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    this.url.write(this.state);
  }

  private async refreshRuns(): Promise<void> {
    try {
      const store = await labStore();
      this.runs = (await store.listRuns()).reverse();
      if (!this.state.run && this.runs.length) this.set({ run: this.runs[0].id });
      await this.load();
    } catch (e) {
      this.error = `Could not open the run store: ${describeFailure(e).message}`;
    }
  }

  private async load(): Promise<void> {
    const runId = this.state.run;
    if (runId === this.loadedRun) return;
    this.loadedRun = runId;
    this.creditCache.clear();
    if (!runId) { this.trajs = []; return; }
    const store = await labStore();
    this.trajs = await store.trajectories(runId);
    this.dataset.loaded = runId;
  }

  private get run(): RunRecord | undefined {
    return this.runs.find((r) => r.id === this.state.run);
  }

  private get config(): RunConfig {
    return this.run?.config ?? defaultRunConfig();
  }

  private get shown(): Trajectory[] {
    const { iteration, split, success } = this.state;
    return filterTrajectories(this.trajs, { iteration, split: split as SplitName | 'all', success }, this.config.split);
  }

  private get current(): Trajectory | null {
    return this.trajs.find((t) => t.id === this.state.traj) ?? null;
  }

  private creditFor(t: Trajectory): CreditResult {
    const key = `${this.state.run}|${t.iteration}`;
    let c = this.creditCache.get(key);
    if (!c) {
      // The iteration's whole batch: whitening and group baselines are over the batch, as in training.
      c = creditOf(this.trajs.filter((x) => x.iteration === t.iteration), this.config, this.recorded.get(this.state.run));
      this.creditCache.set(key, c);
    }
    return c;
  }

  // ---- stepping ----------------------------------------------------------------------------------

  private readonly onKey = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && (target as HTMLInputElement).type !== 'range') return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key;
    if (k === 'ArrowRight' || k === 'j') { this.move(1); e.preventDefault(); }
    else if (k === 'ArrowLeft' || k === 'k') { this.move(-1); e.preventDefault(); }
    else if (k === ' ' && target?.tagName !== 'BUTTON') { this.toggle(); e.preventDefault(); }
  };

  private move(d: number): void {
    const t = this.current;
    if (!t) return;
    const step = Math.max(0, Math.min(t.steps.length - 1, this.state.step + d));
    if (step !== this.state.step) this.set({ step });
    else if (d > 0) this.stop();
  }

  private toggle(): void {
    if (this.playing) this.stop();
    else this.play();
  }

  private play(): void {
    const t = this.current;
    if (!t) return;
    if (this.state.step >= t.steps.length - 1) this.set({ step: 0 });
    this.playing = true;
    this.timer = setInterval(() => this.move(1), 1000 / this.state.speed);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.playing = false;
  }

  private setSpeed(speed: number): void {
    this.set({ speed });
    if (this.playing) { this.stop(); this.play(); }
  }

  private select(t: Trajectory): void {
    this.stop();
    this.branched = null;
    this.set({ traj: t.id, step: 0 });
  }

  private async branch(): Promise<void> {
    const t = this.current;
    if (!t) return;
    this.error = '';
    this.branched = null;
    this.branching = true;
    const step = this.state.step;
    try {
      const r = await trainer().request('branch', { runId: this.state.run, trajectoryId: t.id, step });
      this.branched = { ...r, step };
    } catch (e) {
      this.error = `Branch from here: ${describeFailure(e).message}`;
    } finally {
      this.branching = false;
    }
  }

  // ---- import / export ---------------------------------------------------------------------------

  private async onImport(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const picked = await pickedText(input);
    if (!picked) return;
    this.error = '';
    this.notice = '';
    const format = this.importFormat;
    let trajs: Trajectory[];
    try {
      // Validated whole first: a malformed file writes nothing.
      trajs = importTrajectories(picked.text, format);
    } catch (err) {
      this.error = `${picked.name}: ${describeFailure(err).message}`;
      return;
    }
    const env = trajs[0].env;
    const now = new Date().toISOString();
    const config = defaultRunConfig();
    if (ENV_REGISTRY.has(env)) config.env = env;
    const run: RunRecord = {
      id: importRunId(format, picked.name), label: `${picked.name} (imported)`, config, status: 'finished', createdAt: now, updatedAt: now,
      extra: { imported: { file: picked.name, format } },
    };
    const store = await labStore();
    try {
      await store.putRun(run);
      await store.appendTrajectories(run.id, trajs);
    } catch (err) {
      await store.deleteRun(run.id).catch(() => {});
      this.error = `${picked.name}: ${describeFailure(err).message}`;
      return;
    }
    if (format === 'steps') this.recorded.set(run.id, recordedAnnotations(picked.text));
    this.notice = `Imported ${trajs.length} trajectories from ${picked.name}.`;
    this.runs = [run, ...this.runs];
    this.set({ run: run.id, iteration: -1, split: 'all', success: 'all', traj: trajs[0].id, step: 0 });
    await this.load();
  }

  private onExport(): void {
    const trajs = this.shown;
    if (!trajs.length) return;
    const f = this.exportFormat;
    const rec = this.recorded.get(this.state.run);
    const text = exportTrajectories(trajs, f, {
      runId: this.state.run,
      annotate: (t, k) => {
        const c = this.creditFor(t).credit.get(t.id)?.[k];
        const r = rec?.get(t.id)?.[k];
        return { reward_total: c?.reward ?? undefined, advantage: c?.advantage ?? undefined, ratio: r?.ratio, clipped: r?.clipped };
      },
    });
    download(`${fileStem(this.run?.label ?? this.state.run)}.${f}.${FORMAT_EXTENSION[f]}`, text, 'application/json');
  }

  // ---- view -------------------------------------------------------------------------------------

  override render() {
    const shown = this.shown;
    const iterations = [...new Set(this.trajs.map((t) => t.iteration))].sort((a, b) => a - b);
    const t = this.current;
    const credit = t ? this.creditFor(t) : null;
    const runSplit = this.config.split;
    return html`
      ${this.notice ? html`<p class="note" role="status" data-testid="tv-notice">${this.notice}</p>` : nothing}
      ${this.error ? html`<p class="alert" role="alert" data-testid="tv-error">${this.error}</p>` : nothing}
      <div class="layout">
        <section class="panel" aria-label="Trajectory list">
          <div class="io">
            <div class="row">
              <label class="field" style="flex:1"><span>Import format</span>
                <select data-testid="tv-import-format" .value=${this.importFormat} @change=${(e: Event) => { this.importFormat = (e.target as HTMLSelectElement).value as ExportFormat; }}>
                  ${EXPORT_FORMATS.map((f) => html`<option value=${f} ?selected=${f === this.importFormat}>${FORMAT_LABEL[f]}</option>`)}
                </select></label>
              <label class="file" style="align-self:end">Import file…<input type="file" data-testid="tv-import" accept=".json,.jsonl,application/json" @change=${(e: Event) => void this.onImport(e)} /></label>
            </div>
            <div class="row">
              <label class="field" style="flex:1"><span>Export format</span>
                <select data-testid="tv-export-format" .value=${this.exportFormat} @change=${(e: Event) => { this.exportFormat = (e.target as HTMLSelectElement).value as ExportFormat; }}>
                  ${EXPORT_FORMATS.map((f) => html`<option value=${f} ?selected=${f === this.exportFormat}>${FORMAT_LABEL[f]}</option>`)}
                </select></label>
              <button style="align-self:end" data-testid="tv-export" ?disabled=${shown.length === 0} @click=${() => this.onExport()}>Export ${shown.length}</button>
            </div>
          </div>
          <div class="filters">
            <label class="field" style="grid-column:1/-1"><span>Run</span>
              <select data-testid="tv-run" @change=${(e: Event) => { this.set({ run: (e.target as HTMLSelectElement).value, traj: '', step: 0, iteration: -1 }); void this.load(); }}>
                ${this.runs.length === 0 ? html`<option value="">No runs yet</option>` : nothing}
                ${this.runs.map((r) => html`<option value=${r.id} ?selected=${r.id === this.state.run}>${r.label}</option>`)}
              </select></label>
            <label class="field"><span>Iteration</span>
              <select data-testid="tv-iteration" @change=${(e: Event) => this.set({ iteration: Number((e.target as HTMLSelectElement).value) })}>
                <option value="-1" ?selected=${this.state.iteration === -1}>all</option>
                ${iterations.map((i) => html`<option value=${i} ?selected=${i === this.state.iteration}>${i}</option>`)}
              </select></label>
            <label class="field"><span>Split</span>
              <select data-testid="tv-split" @change=${(e: Event) => this.set({ split: (e.target as HTMLSelectElement).value as State['split'] })}>
                ${TRAJECTORIES_STATE.params.split.options.map((s) => html`<option value=${s} ?selected=${s === this.state.split}>${s}</option>`)}
              </select></label>
            <label class="field" style="grid-column:1/-1"><span>Outcome</span>
              <select data-testid="tv-success" @change=${(e: Event) => this.set({ success: (e.target as HTMLSelectElement).value as State['success'] })}>
                ${TRAJECTORY_SUCCESS.map((o) => html`<option value=${o} ?selected=${o === this.state.success}>${o === 'all' ? 'all' : OUTCOME_LABEL[o]}</option>`)}
              </select></label>
          </div>
          <p class="count" data-testid="tv-count" aria-live="polite">${shown.length} of ${this.trajs.length} trajectories</p>
          <lit-virtualizer scroller role="list" aria-label="Trajectories" data-testid="tv-list"
            .items=${shown}
            .renderItem=${(x: Trajectory) => html`<div role="listitem" style="width:100%">
              <button class="item" data-testid="tv-item" aria-pressed=${x.id === this.state.traj ? 'true' : 'false'} @click=${() => this.select(x)}>
                <span class="goal">${x.goal}</span>
                <span class="badge ${OUTCOME_BADGE[outcomeOf(x)]}" data-testid="tv-outcome">${outcomeText(x)}</span>
                <span class="meta">it ${x.iteration} · ${splitOf(x, runSplit)} · ${x.steps.length} steps · ${x.id}</span>
              </button></div>`}></lit-virtualizer>
        </section>
        <section class="panel" aria-label="Step-through viewer">
          ${t ? html`
            <div class="controls">
              <button data-testid="tv-prev" aria-label="Previous step" @click=${() => this.move(-1)} ?disabled=${this.state.step === 0}>←</button>
              <button data-testid="tv-play" class="primary" @click=${() => this.toggle()}>${this.playing ? 'Pause' : 'Play'}</button>
              <button data-testid="tv-next" aria-label="Next step" @click=${() => this.move(1)} ?disabled=${this.state.step >= t.steps.length - 1}>→</button>
              <label class="field" style="grid-auto-flow:column;align-items:center"><span>Speed</span>
                <select data-testid="tv-speed" @change=${(e: Event) => this.setSpeed(Number((e.target as HTMLSelectElement).value))}>
                  ${[...new Set([...SPEEDS, this.state.speed])].sort((a, b) => a - b).map((s) => html`<option value=${s} ?selected=${s === this.state.speed}>${s} step/s</option>`)}
                </select></label>
              <input type="range" aria-label="Step" min="0" max=${t.steps.length - 1} .value=${String(this.state.step)}
                @input=${(e: Event) => this.set({ step: Number((e.target as HTMLInputElement).value) })} />
              <span class="mono" data-testid="tv-position">step ${this.state.step + 1} / ${t.steps.length}</span>
              <button data-testid="tv-branch" ?disabled=${this.branching} @click=${() => void this.branch()} title="Replay to this step, let the policy take another action and finish the episode">${this.branching ? 'Branching…' : 'Branch from here'}</button>
            </div>
            <p class="muted" style="margin:0 0 8px;font-size:12px">Keys: <kbd>←</kbd>/<kbd>→</kbd> or <kbd>k</kbd>/<kbd>j</kbd> step, <kbd>Space</kbd> plays.</p>
            <sw-step-viewer .trajectory=${t} .credit=${credit?.credit.get(t.id) ?? null} .creditNote=${credit?.note ?? null} .step=${this.state.step}
              @step-change=${(e: CustomEvent<number>) => this.set({ step: e.detail })}></sw-step-viewer>
            ${this.branched && this.branched.original.id === t.id ? html`
              <h2 style="margin-top:16px" data-testid="tv-branch-title">Branch from step ${this.branched.step}: the policy's continuation, credited by the same estimator</h2>
              <sw-step-viewer .trajectory=${this.branched.trajectory} .step=${this.branched.step}></sw-step-viewer>` : nothing}`
            : html`<h2>Step-through viewer</h2><p class="lede">${this.trajs.length
              ? 'Pick a trajectory on the left.'
              : 'No trajectories here yet. Train a run, or import a file in one of the pipeline formats (per-step JSONL, SPA-RL JSON, ShareGPT, verl JSONL).'}</p>`}
        </section>
      </div>`;
  }
}
customElements.define('sw-trajectories', TrajectoriesScreen);
