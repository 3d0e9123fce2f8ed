// The guided tour: a two-minute teaching demo on the bundled model. It trains two tiny runs in the
// trainer worker on the same seed, SPA and outcome-only (tour-plan.ts has the sizes), shows their
// progress while they train, then takes one trajectory of the user's SPA run and shows it credited
// two ways side by side, in plain words: sparse (the whole reward on the last step, what the
// outcome-only run learns from) and stepwise (the estimator's ĉ_t on every step).
//
// Steps move with Next/Back (buttons, and ←/→ anywhere in the tour); the step list says where the
// reader is. Runs go through the trainer protocol only; the result is read from the run store.
// Environment text is bound as text (Lit escapes it).

import { LitElement, css, html, nothing } from 'lit';
import type { RunRecord } from '../../run/persistence/store';
import { STAGE_LABEL, type RunState, type Stage, type TrainerEvent } from '../../run/protocol';
import type { Trajectory } from '../../rl/trajectory';
import { labStore } from '../lab/store';
import { labStyles } from '../lab/styles';
import { formatRoute } from '../shell/route';
import { describeFailure, trainer } from '../trainer-client';
import {
  TOUR_ENV, TOUR_LABELS, TOUR_SEED, creditTwoWays, isCredited, pickTrajectory, signed, summarise, tourConfig,
  type RunSummary, type TourMethod,
} from './tour-plan';

const STEPS = ['The idea', 'Train', 'Two ways to credit', 'What it means'] as const;
const METHODS: TourMethod[] = ['spa', 'outcome'];

interface TourRun {
  runId: string | null;
  status: RunState['status'] | 'waiting';
  stage?: Stage;
  fraction: number;
  etaS: number | null;
  detail?: string;
}

const waiting = (): TourRun => ({ runId: null, status: 'waiting', fraction: 0, etaS: null });
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

export class TourScreen extends LitElement {
  static override properties = {
    step: { state: true },
    runs: { state: true },
    error: { state: true },
    elapsed: { state: true },
    trajectories: { state: true },
    shown: { state: true },
    summaries: { state: true },
    previous: { state: true },
  };
  step = 0;
  runs: Record<TourMethod, TourRun> = { spa: waiting(), outcome: waiting() };
  error = '';
  /** Seconds since Start, while training; the final time after. */
  elapsed = 0;
  /** The SPA run's credited trajectories, and the one shown. */
  trajectories: Trajectory[] = [];
  shown = 0;
  summaries: Partial<Record<TourMethod, RunSummary>> = {};
  /** A finished pair of tour runs from an earlier visit. */
  previous: Record<TourMethod, RunRecord> | null = null;

  private started = 0;
  /** When each run entered each stage (seconds since Start), for the e2e test's timing report. */
  private timeline: string[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopEvents: (() => void) | null = null;
  private current: TourMethod | null = null;
  private finished: ((ok: boolean) => void) | null = null;

  static override styles = [labStyles, css`
    .tour { max-width: 1180px; display: grid; gap: 14px; }
    ol.progress { list-style: none; display: flex; gap: 6px; padding: 0; margin: 0; flex-wrap: wrap; }
    ol.progress li { padding: 4px 12px; border-radius: 99px; border: 1px solid var(--sw-border); color: var(--sw-muted); font-size: 12.5px; }
    ol.progress li[aria-current='step'] { border-color: var(--sw-accent); color: var(--sw-fg); background: var(--sw-accent-weak); }
    ol.progress li.done { color: var(--sw-fg); }
    .panel p { margin: 0 0 10px; max-width: 78ch; }
    .nav { display: flex; gap: 8px; align-items: center; }
    .nav .spacer { flex: 1; }
    .runs { display: grid; gap: 10px; margin: 12px 0; }
    .run { display: grid; grid-template-columns: 190px 1fr 230px; gap: 12px; align-items: center; font-size: 13px; }
    progress { width: 100%; height: 10px; accent-color: var(--sw-accent); }
    .two { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
    .credit { display: grid; gap: 3px; }
    .crow { display: grid; grid-template-columns: 28px minmax(0, 1fr) 110px 56px; gap: 8px; align-items: center; font-size: 12.5px; padding: 3px 4px; border-radius: 6px; }
    .crow.head { color: var(--sw-muted); font-size: 11.5px; }
    .crow.best { background: var(--sw-accent-weak); }
    .crow .act { font-family: var(--sw-mono); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .crow .n { text-align: right; font-family: var(--sw-mono); }
    .bar { position: relative; height: 12px; background: var(--sw-panel-2); border-radius: 3px; }
    .bar::after { content: ''; position: absolute; left: 50%; top: -2px; bottom: -2px; width: 1px; background: var(--sw-border); }
    .bar span { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
    .bar .pos { background: var(--sw-good); }
    .bar .neg { background: var(--sw-bad); }
    .goal { font-weight: 600; margin-bottom: 8px; }
    .plain { background: var(--sw-bg); border: 1px solid var(--sw-border); border-radius: 8px; padding: 10px 12px; margin-top: 10px; }
    .plain p:last-child { margin-bottom: 0; }
    .stats { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px; }
    dl { display: grid; grid-template-columns: auto auto; gap: 4px 14px; margin: 0; font-size: 13px; justify-content: start; }
    dt { color: var(--sw-muted); }
    dd { margin: 0; font-family: var(--sw-mono); }
    a.button { text-decoration: none; display: inline-block; }
    /* The heading takes focus when the step changes (so screen readers read it); it is no control, so no ring. */
    h2[tabindex='-1']:focus, h2[tabindex='-1']:focus-visible { outline: none; }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopEvents = trainer().onEvent((e) => this.onEvent(e));
    this.addEventListener('keydown', this.onKey);
    void this.findPrevious();
  }

  override disconnectedCallback(): void {
    this.stopEvents?.();
    this.removeEventListener('keydown', this.onKey);
    if (this.timer) clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const target = e.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
    if (e.key === 'ArrowRight' && this.canNext()) { e.preventDefault(); this.go(this.step + 1); }
    else if (e.key === 'ArrowLeft' && this.step > 0) { e.preventDefault(); this.go(this.step - 1); }
  };

  private async findPrevious(): Promise<void> {
    try {
      const runs = await (await labStore()).listRuns();
      const latest = (m: TourMethod) => runs.filter((r) => r.label === TOUR_LABELS[m] && r.status === 'finished').at(-1);
      const spa = latest('spa'), outcome = latest('outcome');
      this.previous = spa && outcome ? { spa, outcome } : null;
    } catch {
      this.previous = null;
    }
  }

  private onEvent(e: TrainerEvent): void {
    const m = this.current;
    if (!m || e.runId !== this.runs[m].runId) return;
    const r = { ...this.runs[m] };
    if (e.type === 'status') {
      r.status = e.status;
      if (e.stage) r.stage = e.stage;
    } else if (e.type === 'progress') {
      if (e.stage !== r.stage) this.timeline.push(`${m}:${e.stage}@${((performance.now() - this.started) / 1000).toFixed(1)}`);
      Object.assign(r, { stage: e.stage, fraction: e.fraction, etaS: e.etaS, detail: e.detail });
    } else if (e.type === 'error' && e.fatal) {
      this.error = e.message;
    }
    this.runs = { ...this.runs, [m]: r };
    if (r.status === 'finished') this.finished?.(true);
    else if (r.status === 'failed' || r.status === 'cancelled') this.finished?.(false);
  }

  /** Trains one tour run to its end; false when it failed or was stopped. */
  private async train(m: TourMethod): Promise<boolean> {
    this.current = m;
    const done = new Promise<boolean>((resolve) => { this.finished = resolve; });
    const state = await trainer().request('start', { config: tourConfig(m), label: TOUR_LABELS[m] });
    this.runs = { ...this.runs, [m]: { ...this.runs[m], runId: state.runId, status: state.status } };
    const ok = await done;
    this.finished = null;
    return ok;
  }

  private async start(): Promise<void> {
    this.error = '';
    this.runs = { spa: waiting(), outcome: waiting() };
    this.trajectories = [];
    this.summaries = {};
    this.step = 1;
    this.started = performance.now();
    this.timeline = [];
    this.elapsed = 0;
    this.timer = setInterval(() => { this.elapsed = (performance.now() - this.started) / 1000; }, 500);
    try {
      for (const m of METHODS) {
        if (!(await this.train(m))) {
          this.error ||= `The ${m === 'spa' ? 'SPA' : 'outcome-only'} run stopped before the end.`;
          return;
        }
      }
      await this.loadResult(this.runs.spa.runId as string, this.runs.outcome.runId as string);
    } catch (e) {
      this.error = describeFailure(e).message;
    } finally {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.elapsed = (performance.now() - this.started) / 1000;
      this.current = null;
      this.dataset.elapsed = this.elapsed.toFixed(1);
      this.dataset.timeline = this.timeline.join(' ');
    }
  }

  private async stop(): Promise<void> {
    const m = this.current;
    const id = m ? this.runs[m].runId : null;
    if (id) await trainer().request('stop', { runId: id }).catch((e: unknown) => { this.error = describeFailure(e).message; });
  }

  /** Reads the finished runs from the store: the SPA run's credited trajectories and both runs' summaries. */
  private async loadResult(spaId: string, outcomeId: string): Promise<void> {
    const store = await labStore();
    const [trajs, spaRows, outcomeRows] = await Promise.all([store.trajectories(spaId), store.metrics(spaId), store.metrics(outcomeId)]);
    const credited = trajs.filter(isCredited);
    const pick = pickTrajectory(credited);
    this.trajectories = credited;
    this.shown = pick ? credited.indexOf(pick) : 0;
    this.summaries = { spa: summarise(spaRows), outcome: summarise(outcomeRows) };
    if (!credited.length) this.error = 'The SPA run stored no trajectory with ĉ_t; the estimator did not run.';
  }

  private async showPrevious(): Promise<void> {
    const p = this.previous;
    if (!p) return;
    this.runs = {
      spa: { runId: p.spa.id, status: 'finished', fraction: 1, etaS: 0 },
      outcome: { runId: p.outcome.id, status: 'finished', fraction: 1, etaS: 0 },
    };
    this.error = '';
    try {
      await this.loadResult(p.spa.id, p.outcome.id);
      this.step = 2;
    } catch (e) {
      this.error = describeFailure(e).message;
    }
  }

  private canNext(): boolean {
    if (this.step >= STEPS.length - 1) return false;
    if (this.step === 0) return false; // the first step moves on by starting the runs
    return this.trajectories.length > 0;
  }

  private go(step: number): void {
    this.step = Math.max(0, Math.min(STEPS.length - 1, step));
    void this.updateComplete.then(() => (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus());
  }

  override render() {
    const training = this.current !== null;
    return html`<div class="tour">
      <ol class="progress" aria-label="Tour steps">
        ${STEPS.map((s, i) => html`<li aria-current=${i === this.step ? 'step' : 'false'} class=${i < this.step ? 'done' : ''}>${i + 1}. ${s}</li>`)}
      </ol>
      ${this.error ? html`<p class="alert" role="alert" data-testid="tour-error">${this.error}</p>` : nothing}
      <section class="panel" aria-labelledby="tour-h" data-testid=${`tour-step-${this.step}`}>
        ${[this.intro, this.training, this.credit, this.meaning][this.step].call(this)}
      </section>
      <div class="nav">
        <button data-testid="tour-back" ?disabled=${this.step === 0 || training} @click=${() => this.go(this.step - 1)}>‹ Back</button>
        <span class="spacer"></span>
        <span class="muted" aria-hidden="true">← → also move between steps</span>
        ${this.step < STEPS.length - 1 ? html`<button class="primary" data-testid="tour-next" ?disabled=${!this.canNext()} @click=${() => this.go(this.step + 1)}>Next ›</button>` : nothing}
      </div>
    </div>`;
  }

  private intro() {
    return html`
      <h2 id="tour-h" tabindex="-1">Who gets the credit?</h2>
      <p>An agent shops in a small web store for what an instruction asks (search, open a product, pick its options, buy) in several
        steps, but it is only told at the very end how well its purchase matched. Which of its steps helped? Reinforcement learning has to guess; this is the
        <em>credit assignment</em> problem.</p>
      <p><strong>Stepwise Progress Attribution (SPA)</strong> trains a small <em>progress estimator</em> that gives every step a share
        ĉ<sub>t</sub> of the final reward, with the shares adding up to that reward. The agent then learns from a reward on every step
        instead of one at the end.</p>
      <p>This tour trains two tiny agents on the bundled language model, in this tab, on the same seed: one with SPA and one that
        only sees the final outcome. It takes about two minutes. Then it shows one of your own agent's attempts credited both ways.</p>
      <div class="row">
        <button class="primary" data-testid="tour-start" @click=${() => void this.start()}>Start the tour</button>
        ${this.previous ? html`<button data-testid="tour-previous" @click=${() => void this.showPrevious()}>Show my last tour's result</button>` : nothing}
        <span class="muted">Seed ${TOUR_SEED} · ${TOUR_ENV} tasks 0–1 · K = 2 rollouts per task · 1 PPO iteration</span>
      </div>`;
  }

  private runRow(m: TourMethod) {
    const r = this.runs[m];
    const name = m === 'spa' ? 'SPA (stepwise credit)' : 'Outcome only (sparse)';
    const where = r.status === 'waiting' ? 'waits for the first run'
      : r.status === 'finished' ? 'finished'
        : `${r.stage ? STAGE_LABEL[r.stage] : 'starting'}${r.detail ? ` · ${r.detail}` : ''} · ${Math.round(r.fraction * 100)}%${r.etaS !== null && r.status === 'running' ? ` · ${Math.ceil(r.etaS)} s left in stage` : ''}`;
    const value = r.status === 'finished' ? 1 : r.status === 'waiting' ? 0 : r.fraction;
    return html`<div class="run" data-testid=${`tour-run-${m}`}>
      <span>${name} <span class="badge ${r.status === 'finished' ? 'good' : r.status === 'failed' ? 'bad' : ''}">${r.status}</span></span>
      <progress max="1" .value=${value} aria-label=${`${name}: ${where}`}></progress>
      <span class="muted mono">${where}</span>
    </div>`;
  }

  private training() {
    const training = this.current !== null;
    const done = !training && this.trajectories.length > 0;
    return html`
      <h2 id="tour-h" tabindex="-1">Training two agents</h2>
      <p>Both start from the same <em>behaviour cloning</em> policy (it imitates an expert), then practise. The SPA run first plays
        each task twice, fits its progress estimator on those attempts, and then improves the policy with stepwise rewards. The
        outcome-only run improves the same policy with nothing but the final reward.</p>
      <div class="runs" role="status" aria-live="polite">${this.runRow('spa')}${this.runRow('outcome')}</div>
      <p class="muted" data-testid="tour-elapsed">${training ? `Training for ${Math.floor(this.elapsed)} s…` : done ? `Both runs finished in ${Math.round(this.elapsed)} s.` : ''}
        ${training ? html`<button @click=${() => void this.stop()}>Stop</button>` : nothing}</p>
      ${done ? html`<p>Next: one of your SPA agent's attempts, credited two ways.</p>` : nothing}`;
  }

  private bar(x: number, scale: number) {
    const w = Math.min(50, (Math.abs(x) / scale) * 50);
    return html`<div class="bar" aria-hidden="true"><span class=${x >= 0 ? 'pos' : 'neg'} style=${x >= 0 ? `left:50%;width:${w}%` : `right:50%;width:${w}%`}></span></div>`;
  }

  private credit() {
    const t = this.trajectories[this.shown];
    if (!t) return html`<h2 id="tour-h" tabindex="-1">Two ways to credit</h2><p class="muted">Waiting for the runs to finish…</p>`;
    const c = creditTwoWays(t);
    const scale = Math.max(1e-6, c.finalReward, ...c.rows.map((r) => Math.abs(r.stepwise)));
    const best = c.rows[c.best];
    const column = (kind: 'sparse' | 'stepwise') => html`
      <div class="credit" role="table" aria-label=${kind === 'sparse' ? 'Sparse credit per step' : 'Stepwise credit per step'} data-testid=${`tour-${kind}`}>
        <div class="crow head" role="row"><span role="columnheader">#</span><span role="columnheader">action</span><span role="columnheader">credit</span><span role="columnheader" class="n">value</span></div>
        ${c.rows.map((r, i) => html`<div class="crow ${kind === 'stepwise' && i === c.best ? 'best' : ''}" role="row">
          <span class="n" role="cell">${r.step}</span>
          <span class="act" role="cell" title=${r.action}>${r.action}${r.valid ? '' : html` <span class="badge bad">invalid</span>`}</span>
          <span role="cell">${this.bar(kind === 'sparse' ? r.sparse : r.stepwise, scale)}</span>
          <span class="n" role="cell">${signed(kind === 'sparse' ? r.sparse : r.stepwise)}</span>
        </div>`)}
      </div>`;
    return html`
      <h2 id="tour-h" tabindex="-1">One attempt, credited two ways</h2>
      <div class="goal" data-testid="tour-goal">${t.goal}</div>
      <div class="row" style="margin-bottom:10px">
        <span class="badge ${t.won ? 'good' : t.finalReward > 0 ? 'warn' : 'bad'}">${t.won ? 'solved' : t.finalReward > 0 ? 'partly solved' : 'not solved'} · reward ${t.finalReward.toFixed(2)}</span>
        <span class="muted mono">${t.id}</span>
        <span class="muted">attempt ${this.shown + 1} of ${this.trajectories.length}</span>
        <button data-testid="tour-prev-traj" ?disabled=${this.shown === 0} @click=${() => (this.shown -= 1)}>Previous attempt</button>
        <button data-testid="tour-next-traj" ?disabled=${this.shown >= this.trajectories.length - 1} @click=${() => (this.shown += 1)}>Another attempt</button>
      </div>
      <div class="two">
        <div><h3>Sparse: all the credit at the end</h3>${column('sparse')}</div>
        <div><h3>Stepwise: ĉ<sub>t</sub> per step (SPA)</h3>${column('stepwise')}</div>
      </div>
      <div class="plain" data-testid="tour-explain">
        <p><strong>Sparse.</strong> The outcome-only agent learns from one number: ${t.finalReward !== 0 ? `the reward ${t.finalReward.toFixed(2)} arrives on step ${c.rows.length}, ` : 'the attempt failed, so the reward is 0, '}
          and every earlier step gets nothing directly; learning has to spread it backwards by itself.</p>
        <p><strong>Stepwise.</strong> Your SPA agent's estimator gives each of the ${c.rows.length} steps its own share. Together they add up
          to ${c.total.toFixed(2)} against the real reward ${c.finalReward.toFixed(2)}. It credits step ${best.step}, “${best.action}”, the most (${signed(best.stepwise)})${c.rows.some((r) => !r.valid) ? '; steps that did nothing (invalid) should get little' : ''}.</p>
      </div>`;
  }

  private meaning() {
    const s = this.summaries.spa, o = this.summaries.outcome;
    const line = (label: string, a: number | null | undefined, b: number | null | undefined) => html`<dt>${label}</dt><dd>${pct(a ?? null)} · ${pct(b ?? null)}</dd>`;
    const spaId = this.runs.spa.runId ?? '';
    const t = this.trajectories[this.shown];
    const trajLink = formatRoute('trajectories', { run: spaId, ...(t ? { traj: t.id } : {}) });
    const compareLink = formatRoute('compare', { runs: [spaId, this.runs.outcome.runId ?? ''].join(',') });
    return html`
      <h2 id="tour-h" tabindex="-1">What it means</h2>
      <div class="stats">
        <div>
          <h3>Your two runs (SPA · outcome only)</h3>
          <dl data-testid="tour-summary">
            ${line('solved, last practice round', s?.rolloutSuccess, o?.rolloutSuccess)}
            ${line('solved, greedy test', s?.evalSuccess, o?.evalSuccess)}
            ${line('valid actions', s?.grounding, o?.grounding)}
            <dt>estimator error (MSE)</dt><dd>${s?.estimatorMse !== null && s?.estimatorMse !== undefined ? s.estimatorMse.toFixed(3) : '–'}</dd>
          </dl>
          <p class="muted" style="margin-top:10px">Two minutes of training on a handful of attempts is far too little to tell the methods apart:
            these numbers are noise. The paper's gains come from hundreds of tasks and many iterations.</p>
        </div>
        <div>
          <h3>Why stepwise credit helps</h3>
          <p>With only the final reward, a long task gives a weak, late signal, and a lucky or unlucky ending is blamed on every step alike.
            With ĉ<sub>t</sub>, a step that moved the task forward is rewarded when it happens, so the policy learns which steps matter.</p>
          <p>SPA also adds a small bonus for valid actions (β·g<sub>t</sub>), which keeps the agent grounded in what the environment accepts.</p>
        </div>
      </div>
      <div class="row" style="margin-top:12px">
        <a class="button" href=${trajLink} data-testid="tour-open-trajectories">Step through this run's trajectories</a>
        <a class="button" href=${compareLink}>Compare the two runs</a>
        <a class="button" href=${formatRoute('train')}>Train a bigger run</a>
        <button @click=${() => this.go(0)}>Start over</button>
      </div>`;
  }
}

if (!customElements.get('sw-tour')) customElements.define('sw-tour', TourScreen);

declare global {
  interface HTMLElementTagNameMap {
    'sw-tour': TourScreen;
  }
}
