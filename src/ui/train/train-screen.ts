// The Train screen: the run config as a generated form (environment, model, method and the main
// hyper-parameters; the rest under Advanced), Start / Pause / Resume / Stop sent to the trainer
// worker, stage progress with an ETA, live charts from the metrics stream, and the
// entropy-collapse warning. The config lives in the URL (url-state.ts TRAIN_STATE), so a link
// reproduces the run; the cap on an episode's decisions is its field episode.maxSteps, shown once. Stored runs can be viewed, and every
// run the trainer lists as unfinished (interrupted by a reload, paused, failed on a lost device,
// stopped) is offered for resuming; a resumed run's charts start from its stored metrics.

import { LitElement, css, html, nothing } from 'lit';
import { safeParseRunConfig, type ConfigIssue, type RunConfig } from '../../run/config';
import { storageFullDuring, type MetricRow, type RunRecord } from '../../run/persistence/store';
import { STAGES, STAGE_LABEL, type RunState, type Stage, type TrainerEvent, type UnfinishedRun } from '../../run/protocol';
import { labStore } from '../lab/store';
import { labStyles } from '../lab/styles';
import { describeFailure, trainer } from '../trainer-client';
import { TRAIN_STATE, UrlState } from '../url-state';
import './config-form';
import './storage-full';
import './train-charts';
import { unfinishedText } from './unfinished';

type Warning = Extract<TrainerEvent, { type: 'warning' }>;
interface StageProgress { fraction: number; etaS: number | null; detail?: string }

/** "1 min 05 s", "12 s", "–". */
export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s) || s < 0) return 'ETA –';
  const r = Math.round(s);
  if (r < 60) return `ETA ${r} s`;
  const m = Math.floor(r / 60);
  return m < 60 ? `ETA ${m} min ${String(r % 60).padStart(2, '0')} s` : `ETA ${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export class TrainScreen extends LitElement {
  static override properties = {
    draft: { state: true },
    issues: { state: true },
    run: { state: true },
    progress: { state: true },
    rows: { state: true },
    warnings: { state: true },
    error: { state: true },
    notice: { state: true },
    stored: { state: true },
    viewing: { state: true },
    busy: { state: true },
    unfinished: { state: true },
    resumePick: { state: true },
    chartIterations: { state: true },
  };
  draft: RunConfig;
  issues: ConfigIssue[] = [];
  run: RunState | null = null;
  progress = new Map<Stage, StageProgress>();
  rows: MetricRow[] = [];
  warnings: Warning[] = [];
  error = '';
  notice = '';
  stored: RunRecord[] = [];
  /** A stored run shown in the charts while no run is live. */
  viewing = '';
  busy = false;
  /** What the trainer lists as resumable, newest first (protocol `unfinished`). */
  unfinished: UnfinishedRun[] = [];
  /** The unfinished run the offer names (the newest unless the user picks another). */
  resumePick = '';
  /** PPO iterations of the run the charts show, so their x axis spans the whole run. */
  chartIterations: number | null = null;

  private readonly url = new UrlState(TRAIN_STATE);
  private unwatch: (() => void) | null = null;
  private stopEvents: (() => void) | null = null;

  static override styles = [labStyles, css`
    .layout { display: grid; grid-template-columns: minmax(340px, 420px) minmax(0, 1fr); gap: 16px; align-items: start; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 14px; padding-top: 12px; border-top: 1px solid var(--sw-border); }
    .stages { display: grid; gap: 6px; margin-bottom: 12px; }
    .stage { display: grid; grid-template-columns: 140px 1fr 130px; gap: 10px; align-items: center; font-size: 12.5px; }
    .stage.off { color: var(--sw-muted); }
    progress { width: 100%; height: 8px; accent-color: var(--sw-accent); }
    .status { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin-bottom: 10px; }
    .right { display: grid; gap: 12px; min-width: 0; }
    .offer { display: flex; gap: 10px 14px; align-items: center; flex-wrap: wrap; }
    .offer > span { flex: 1 1 320px; }
    .offer .pick { grid-auto-flow: column; align-items: center; }
  `];

  constructor() {
    super();
    this.draft = this.url.read().values.run;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const read = this.url.read();
    this.draft = read.values.run;
    if (read.issues.length) this.notice = `Ignored in the link (defaults used): ${read.issues.map((i) => i.message).join('; ')}`;
    this.writeUrl();
    this.unwatch = this.url.watch((s) => { this.draft = s.values.run; this.issues = []; });
    this.stopEvents = trainer().onEvent((e) => this.onEvent(e));
    void this.loadStored();
  }

  private writeUrl(): void {
    this.url.write({ run: this.draft });
  }

  override disconnectedCallback(): void {
    this.unwatch?.();
    this.stopEvents?.();
    super.disconnectedCallback();
  }

  private async loadStored(): Promise<void> {
    try {
      this.stored = (await (await labStore()).listRuns()).reverse();
    } catch (e) {
      this.error = `Could not open the run store: ${describeFailure(e).message}`;
      return;
    }
    await this.loadUnfinished();
  }

  /**
   * The trainer's list of unfinished runs; if the worker cannot answer, the store's records stand
   * in for it (the same statuses, none live).
   */
  private async loadUnfinished(): Promise<void> {
    try {
      this.unfinished = await trainer().request('unfinished', {});
    } catch {
      const open = new Set(['created', 'running', 'paused', 'failed', 'cancelled']);
      this.unfinished = this.stored.filter((r) => open.has(r.status)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).map((r) => ({
        runId: r.id, label: r.label, updatedAt: r.updatedAt, status: r.status, iteration: r.iteration ?? -1,
        ...(r.stage ? { stage: r.stage as Stage } : {}), ...(r.error ? { error: r.error } : {}), live: false,
      }));
    }
  }

  private onConfig(next: RunConfig): void {
    this.draft = next;
    const r = safeParseRunConfig(next);
    this.issues = r.ok ? [] : r.error.issues;
    if (r.ok) this.writeUrl();
  }

  private onEvent(e: TrainerEvent): void {
    if (!this.run || e.runId !== this.run.runId) return;
    switch (e.type) {
      case 'status':
        this.run = { ...this.run, status: e.status, stage: e.stage ?? this.run.stage };
        // The stored list (and with it the resume offer) changes when a run ends.
        if (e.status === 'finished' || e.status === 'failed' || e.status === 'cancelled') void this.loadStored();
        break;
      case 'progress': this.progress = new Map(this.progress).set(e.stage, { fraction: e.fraction, etaS: e.etaS, detail: e.detail }); this.run = { ...this.run, stage: e.stage }; break;
      case 'metrics': this.rows = [...this.rows, ...e.rows]; break;
      case 'warning': this.warnings = [...this.warnings, e]; break;
      case 'error': this.error = e.message; break;
      case 'trajectories': break;
    }
  }

  private async command(what: 'start' | 'pause' | 'resume' | 'stop'): Promise<void> {
    this.error = '';
    this.busy = true;
    try {
      if (what === 'start') {
        const r = safeParseRunConfig(this.draft);
        if (!r.ok) { this.issues = r.error.issues; return; }
        this.rows = [];
        this.warnings = [];
        this.progress = new Map();
        this.viewing = '';
        this.chartIterations = r.config.ppo.iterations;
        this.run = await trainer().request('start', { config: r.config });
      } else if (this.run) {
        this.run = await trainer().request(what, { runId: this.run.runId });
      }
    } catch (e) {
      const f = describeFailure(e);
      this.error = f.code === 'not-available-yet' ? `${f.message}. The form, link and charts work; training starts here once the orchestrator lands.` : f.message;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Continues an unfinished run from its last checkpoint, or follows one this worker is running
   * (started from another screen). Either way the charts first get the run's stored metrics, so
   * they show the whole run and not only what this session adds.
   */
  private async continueRun(u: UnfinishedRun): Promise<void> {
    this.error = '';
    this.busy = true;
    try {
      const store = await labStore();
      const record = await store.getRun(u.runId);
      this.viewing = '';
      this.warnings = [];
      this.progress = new Map();
      this.chartIterations = record?.config.ppo.iterations ?? null;
      this.rows = await store.metrics(u.runId);
      if (u.live) {
        this.run = { runId: u.runId, status: u.status, stage: u.stage, iteration: u.iteration };
        return;
      }
      this.run = await trainer().request('start', { config: record?.config ?? this.draft, resume: u.runId });
      void this.loadUnfinished();
    } catch (e) {
      this.error = `Could not resume “${u.label}”: ${describeFailure(e).message}`;
    } finally {
      this.busy = false;
    }
  }

  private async view(id: string): Promise<void> {
    this.viewing = id;
    this.warnings = [];
    if (!id) { this.rows = []; this.chartIterations = null; return; }
    this.chartIterations = this.stored.find((r) => r.id === id)?.config.ppo.iterations ?? null;
    this.rows = await (await labStore()).metrics(id);
  }

  private async copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(location.href);
      this.notice = 'Link copied: it opens this form with this exact config.';
    } catch {
      this.notice = `Copy this link: ${location.href}`;
    }
  }

  private resumeOffer() {
    const offered = this.unfinished;
    if (offered.length === 0) return nothing;
    const u = offered.find((x) => x.runId === this.resumePick) ?? offered[0];
    return html`<div class="note offer" data-testid="train-resume-offer">
      <span data-testid="train-resume-text">${u.live ? `Run “${u.label}” is running in this tab (started from another screen).` : unfinishedText(u)}</span>
      ${offered.length > 1 ? html`<label class="field pick"><span>Unfinished runs (${offered.length})</span>
        <select data-testid="train-resume-pick" @change=${(e: Event) => { this.resumePick = (e.target as HTMLSelectElement).value; }}>
          ${offered.map((x) => html`<option value=${x.runId} ?selected=${x.runId === u.runId}>${x.label} · ${x.live ? 'running' : x.status}</option>`)}
        </select></label>` : nothing}
      <button ?disabled=${this.busy} @click=${() => void this.continueRun(u)}>${u.live ? 'Follow it' : 'Resume it'}</button>
    </div>`;
  }

  private get liveNow(): boolean {
    const status = this.run?.status;
    return status === 'running' || status === 'paused' || status === 'created';
  }

  override render() {
    const status = this.run?.status;
    const live = this.liveNow;
    return html`
      ${this.notice ? html`<p class="note" role="status" data-testid="train-notice">${this.notice}</p>` : nothing}
      ${!this.error ? nothing : storageFullDuring(this.error) !== null
        // A full store gets its own panel: what to delete, with sizes and Delete buttons.
        ? html`<sw-storage-full .message=${this.error} run-id=${this.run?.runId ?? ''} @runs-changed=${() => void this.loadStored()}></sw-storage-full>`
        : html`<p class="alert" role="alert" data-testid="train-error">${this.error}</p>`}
      ${live ? nothing : this.resumeOffer()}
      <div class="layout">
        <section class="panel" aria-label="Run config">
          <h2>New run</h2>
          <sw-config-form .config=${this.draft} .issues=${this.issues} ?disabled=${live}
            @config-change=${(e: CustomEvent<RunConfig>) => this.onConfig(e.detail)}></sw-config-form>
          <div class="actions">
            <button class="primary" data-testid="train-start" ?disabled=${live || this.busy || this.issues.length > 0} @click=${() => void this.command('start')}>Start</button>
            <button data-testid="train-pause" ?disabled=${status !== 'running' || this.busy} @click=${() => void this.command('pause')}>Pause</button>
            <button data-testid="train-resume" ?disabled=${status !== 'paused' || this.busy} @click=${() => void this.command('resume')}>Resume</button>
            <button data-testid="train-stop" ?disabled=${!live || this.busy} @click=${() => void this.command('stop')}>Stop</button>
            <button data-testid="train-link" @click=${() => void this.copyLink()}>Copy link</button>
          </div>
        </section>
        <div class="right">
          <section class="panel" aria-label="Progress">
            <div class="status">
              <h2 style="margin:0">Progress</h2>
              ${this.run ? html`<span class="badge ${status === 'failed' ? 'bad' : status === 'finished' ? 'good' : 'warn'}" data-testid="train-status">${status}</span>
                <span class="mono muted">${this.run.runId}</span>` : html`<span class="muted">No run in this tab yet.</span>`}
              <label class="field" style="margin-left:auto;grid-auto-flow:column;align-items:center"><span>Show stored run</span>
                <select data-testid="train-view" style="max-width:280px" ?disabled=${live} @change=${(e: Event) => void this.view((e.target as HTMLSelectElement).value)}>
                  <option value="" ?selected=${!this.viewing}>—</option>
                  ${this.stored.map((r) => html`<option value=${r.id} ?selected=${r.id === this.viewing}>${r.label}</option>`)}
                </select></label>
            </div>
            <div class="stages">
              ${STAGES.filter((s) => s !== 'sft' || this.draft.sft.enabled).map((s) => {
                const p = this.progress.get(s);
                return html`<div class="stage ${p ? '' : 'off'}">
                  <span>${STAGE_LABEL[s]}${this.run?.stage === s && live ? ' ◂' : ''}</span>
                  <progress max="1" .value=${p?.fraction ?? 0} aria-label=${`${STAGE_LABEL[s]} progress`}></progress>
                  <span class="mono">${p ? (p.fraction >= 1 ? 'done' : `${Math.round(p.fraction * 100)}% · ${formatEta(p.etaS)}`) : '–'}</span>
                </div>`;
              })}
            </div>
          </section>
          <sw-train-charts .rows=${this.rows} .warnings=${this.warnings} .iterations=${this.chartIterations}></sw-train-charts>
        </div>
      </div>`;
  }
}
customElements.define('sw-train', TrainScreen);
