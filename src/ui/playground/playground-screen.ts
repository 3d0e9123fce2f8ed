// The Playground: pick an environment, split, task and seed, then play by hand. Every
// admissible action is a button, a text box takes any command, and the expert can give a hint.
// The episode runs on the env worker pool (one Web Worker). Environment text is always bound as
// text (Lit escapes it); nothing here renders HTML from an environment.
//
// With a trained estimator (a stored SPA or progress-only run of this environment, or an imported
// checkpoint), each step shows its ĉ_t, the running Σĉ and the grounding flag as the player plays
// (the trainer worker replays the episode: protocol `annotate`), and the player can mark a step
// as progress or no progress and see where the estimator agrees.

import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { browserSpawner } from '../../envs/pool/spawn-browser';
import type { SplitName } from '../../envs/env';
import { PLAYGROUND_STATE, UrlState } from '../url-state';
import { EstimatorLink } from './estimator-link';
import { PROGRESS_THRESHOLD, agreement, stepCredits, toggleMark, type Mark, type StepCredit } from './playground-credit';
import { PlaygroundSession, filterActions, type LogEntry } from './playground-session';
import { playgroundStyles } from './playground-styles';

export class PlaygroundScreen extends LitElement {
  static override styles = playgroundStyles;

  static override properties = {
    hintShown: { state: true },
    filter: { state: true },
    draft: { state: true },
    tick: { state: true },
    marks: { state: true },
  };

  declare hintShown: boolean;
  declare filter: string;
  declare draft: string;
  /** Bumped whenever the session changes, to re-render. */
  declare tick: number;
  /** The player's marks on this episode's steps (1-based). */
  declare marks: Map<number, Mark>;

  private session: PlaygroundSession | null = null;
  /** The selection last written to the URL. */
  private written = '';
  private unsubscribe: (() => void) | null = null;
  private readonly url = new UrlState(PLAYGROUND_STATE);
  private readonly estimator = new EstimatorLink(() => this.tick++);
  /** The episode last sent to the estimator, and the env its run list is for. */
  private annotated = '';
  private listedEnv = '';

  constructor() {
    super();
    this.hintShown = false;
    this.filter = '';
    this.draft = '';
    this.tick = 0;
    this.marks = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.session) {
      // The episode's selection lives in the URL (url-state.ts, PLAYGROUND_STATE), so a link
      // reproduces what its sender saw. The session keeps a split only if the env has it.
      const { values } = this.url.read();
      const session = new PlaygroundSession(browserSpawner, values);
      this.session = session;
      this.unsubscribe = session.onChange(() => {
        this.tick++;
        const { env, split, task, seed } = session.selection;
        const want = `${env}|${split}|${task}|${seed}`;
        if (want !== this.written) {
          this.written = want;
          this.url.write({ env, split, task, seed });
        }
        this.followEpisode(session);
      });
      void session.select({});
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.session?.dispose();
    this.session = null;
  }

  /** Keeps the estimator's run list on this env and its credit on this episode. */
  private followEpisode(s: PlaygroundSession): void {
    const { env, seed } = s.selection;
    if (env !== this.listedEnv) {
      this.listedEnv = env;
      void this.estimator.refresh(env);
    }
    if (s.busy || !s.taskId) return;
    const actions = s.actions();
    const key = `${this.estimator.runId}|${env}|${s.taskId}|${seed}|${actions.join('\u0000')}`;
    if (key === this.annotated) return;
    // A new episode (reset, another task) starts without marks.
    const prev = this.annotated.split('|');
    if (prev[1] !== env || prev[2] !== s.taskId || prev[3] !== String(seed) || actions.length < (this.estimator.resultFor?.actions.length ?? 0)) this.marks = new Map();
    this.annotated = key;
    this.estimator.annotate({ env, taskId: s.taskId, seed, actions });
  }

  private chooseRun(runId: string): void {
    this.estimator.select(runId);
    this.annotated = '';
    if (this.session) this.followEpisode(this.session);
  }

  /** ĉ rows for the steps the estimator has answered for this episode. */
  private credits(): StepCredit[] {
    const r = this.estimator.result;
    const s = this.session;
    const f = this.estimator.resultFor;
    if (!r || !s || !f || !r.annotated || f.taskId !== s.taskId || f.env !== s.selection.env) return [];
    const actions = s.actions();
    // Only a prefix of the live episode is credited (a request may still be running).
    if (!f.actions.every((a, i) => a === actions[i])) return [];
    return stepCredits(r.progress, r.valid, this.marks);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('tick')) {
      const log = this.renderRoot.querySelector('.log');
      if (log) log.scrollTop = log.scrollHeight;
    }
  }

  private async play(action: string, source: LogEntry['source']): Promise<void> {
    if (!this.session || action.trim().length === 0) return;
    this.hintShown = false;
    await this.session.act(action, source);
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    const text = this.draft;
    if (text.trim().length === 0) return;
    this.draft = '';
    void this.play(text, 'typed');
  }

  private num(e: Event): number {
    return Number((e.target as HTMLInputElement).value);
  }

  override render() {
    const s = this.session;
    if (!s) return nothing;
    const { env, split, task, seed } = s.selection;
    const count = s.taskCount();
    const playing = s.status === 'playing';
    const shown = filterActions(s.admissible, this.filter);
    const credits = this.credits();
    return html`
      <div class="pg">
        <header class="controls" aria-label="Episode">
          <label class="field">
            <span class="k">Environment</span>
            <select data-testid="pg-env" .value=${env} @change=${(e: Event) => void s.select({ env: (e.target as HTMLSelectElement).value, task: 0 })}>
              ${s.envs.map((n) => html`<option value=${n} ?selected=${n === env}>${n}</option>`)}
            </select>
          </label>
          <label class="field">
            <span class="k">Split</span>
            <select data-testid="pg-split" .value=${split} @change=${(e: Event) => void s.select({ split: (e.target as HTMLSelectElement).value as SplitName, task: 0 })}>
              ${s.splitsOf(env).map((n) => html`<option value=${n} ?selected=${n === split}>${n}</option>`)}
            </select>
          </label>
          <div class="field">
            <span class="k">Task <span class="range">0–${count - 1}</span></span>
            <div class="stepper">
              <button class="icon" title="Previous task" aria-label="Previous task" ?disabled=${task <= 0 || s.busy} @click=${() => void s.select({ task: task - 1 })}>‹</button>
              <input data-testid="pg-task" type="number" min="0" max=${count - 1} .value=${String(task)} aria-label="Task index"
                @change=${(e: Event) => void s.select({ task: this.num(e) })} />
              <button class="icon" title="Next task" aria-label="Next task" ?disabled=${task >= count - 1 || s.busy} @click=${() => void s.select({ task: task + 1 })}>›</button>
              <button class="icon" title="Random task" aria-label="Random task" ?disabled=${s.busy} @click=${() => void s.select({ task: Math.floor(Math.random() * count) })}>⚄</button>
            </div>
          </div>
          <label class="field seed">
            <span class="k">Seed</span>
            <input data-testid="pg-seed" type="number" min="0" .value=${String(seed)} @change=${(e: Event) => void s.select({ seed: this.num(e) })} />
          </label>
          <button data-testid="pg-reset" class="primary" ?disabled=${s.busy} @click=${() => void s.reset()}>Reset</button>
          <div class="spacer"></div>
          <div class="meta" title=${s.version()}>
            <span class="dot ${s.busy ? 'busy' : ''}"></span>
            worker pool · ${s.restarts ? `${s.restarts} restart${s.restarts > 1 ? 's' : ''}` : 'ok'}
          </div>
        </header>

        <div class="task-label" data-testid="pg-task-label">${s.taskLabel}</div>

        <div class="body">
          <section class="log-panel">
            <div class="log" data-testid="pg-log" role="log" aria-live="polite">
              ${s.log.map((e) => this.renderEntry(e, credits[e.step - 1]))}
              ${s.status === 'won' || s.status === 'over'
                ? html`<div class="banner ${s.status === 'won' ? 'good' : 'bad'}" data-testid="pg-banner">
                    <span>${s.status === 'won' ? 'Task complete' : 'Episode over'} · reward ${fmt(s.reward)} after ${s.steps} steps</span>
                    <span class="banner-actions">
                      <button @click=${() => void s.reset()}>Replay</button>
                      ${task < count - 1 ? html`<button @click=${() => void s.select({ task: task + 1 })}>Next task ›</button>` : nothing}
                    </span>
                  </div>`
                : nothing}
            </div>
            ${s.error ? html`<div class="error" role="alert">${s.error}</div>` : nothing}
            <form class="command" @submit=${(e: Event) => this.onSubmit(e)}>
              <span class="prompt">›</span>
              <input data-testid="pg-input" type="text" autocomplete="off" spellcheck="false"
                placeholder=${playing ? 'Type any command, e.g. look' : 'Episode over: reset to play again'}
                ?disabled=${!playing} .value=${this.draft} @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)} />
              <button data-testid="pg-step" type="submit" ?disabled=${!playing || s.busy || this.draft.trim().length === 0}>Step</button>
            </form>
          </section>

          <aside class="side">
            <div class="goal card">
              <div class="k">Goal</div>
              <div class="goal-text" data-testid="pg-goal">${s.goal.replace(/^Your task is to: /, '')}</div>
            </div>
            <div class="stats">
              <div class="stat"><div class="k">Step</div><div class="v" data-testid="pg-steps">${s.steps}<span class="of"> / ${s.maxSteps()}</span></div></div>
              <div class="stat" title="Actions that did something (SPA's grounding signal)"><div class="k">Valid</div><div class="v" data-testid="pg-valid">${s.validSteps}<span class="of"> / ${s.steps}</span></div></div>
              <div class="stat"><div class="k">Reward</div><div class="v ${s.reward > 0 ? 'good' : ''}" data-testid="pg-reward">${fmt(s.reward)}</div></div>
              <div class="stat"><div class="k">Status</div><div class="v status ${s.status}" data-testid="pg-status">${STATUS_TEXT[s.status]}</div></div>
            </div>
            ${this.renderCreditCard(credits)}
            <div class="hint-row">
              <button data-testid="pg-hint" class="hint" ?disabled=${!playing || s.expert === null}
                @click=${() => (this.hintShown = !this.hintShown)}>${this.hintShown ? 'Hide hint' : 'Expert hint'}</button>
              ${this.hintShown && s.expert !== null
                ? html`<button class="chip suggested" data-testid="pg-hint-action" title="Play the expert's action"
                    @click=${() => void this.play(s.expert as string, 'expert')}>${s.expert}</button>`
                : html`<span class="muted small">${playing ? 'What would the expert do next?' : ''}</span>`}
            </div>
            <div class="adm-head">
              <span class="k">Admissible actions <span class="count">${s.admissible.length}</span></span>
              <input class="filter" type="search" placeholder="Filter" aria-label="Filter actions" .value=${this.filter}
                @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
            </div>
            <div class="adm-list" data-testid="pg-actions">
              ${shown.map(
                (a) => html`<button class="chip ${this.hintShown && a === s.expert ? 'suggested' : ''}" data-testid="pg-action"
                  ?disabled=${!playing || s.busy} @click=${() => void this.play(a, 'clicked')}>${a}</button>`,
              )}
              ${playing && shown.length === 0 ? html`<div class="muted small">No admissible action matches “${this.filter}”.</div>` : nothing}
              ${!playing && s.status !== 'idle' ? html`<div class="muted small">The episode has ended. Reset, or pick another task.</div>` : nothing}
            </div>
            <div class="side-foot" title=${s.description()}>${s.version()}</div>
          </aside>
        </div>
      </div>
    `;
  }

  private renderCreditCard(credits: StepCredit[]) {
    const est = this.estimator;
    const s = this.session;
    if (!s) return nothing;
    const run = est.runs.find((r) => r.id === est.runId);
    const total = credits.at(-1)?.running;
    const agree = agreement(credits);
    const r = est.result;
    const checkpoint = r ? (r.checkpointIteration < 0 ? `before PPO (${r.checkpointStage})` : `iteration ${r.checkpointIteration}`) : est.busy ? '…' : '–';
    return html`<section class="credit-card" aria-label="Estimator credit" data-testid="pg-credit"
      title=${`Mark steps in the log as progress or no progress; the estimator calls a step progress when ĉ > ${PROGRESS_THRESHOLD}.`}>
      <label class="credit-head"><span class="k">Credit by</span>
        <select data-testid="pg-credit-run" @change=${(e: Event) => this.chooseRun((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!est.runId}>no estimator</option>
          ${est.runs.map((x) => html`<option value=${x.id} ?selected=${x.id === est.runId}>${x.label}</option>`)}
        </select></label>
      ${est.runs.length === 0 ? html`<div class="muted small">No trained estimator for ${s.selection.env} in this browser yet: train an SPA run (Train, or the Tour) or import a checkpoint.</div>` : nothing}
      ${run ? html`<div class="credit-figures small">
          <span>Σĉ <b data-testid="pg-credit-sum">${total === undefined ? '–' : signed(total)}</b></span>
          <span>agrees <b data-testid="pg-credit-agree">${agree.marked ? `${agree.agreed} / ${agree.marked}` : '–'}</b></span>
          <span class="muted">checkpoint ${checkpoint}</span>
          ${est.busy ? html`<span class="muted">crediting…</span>` : nothing}
        </div>
        ${r && r.checkpointStage === 'bc' ? html`<div class="muted small">This run stopped before its estimator was trained; its credit is the untrained network's.</div>` : nothing}` : nothing}
      <div class="credit-actions">
        <button class="small-button" data-testid="pg-ckpt-export" ?disabled=${!est.runId} @click=${() => void est.exportCheckpoint()}>Export checkpoint</button>
        <label class="file-button">Import checkpoint<input type="file" data-testid="pg-ckpt-import" accept=".swck,application/octet-stream"
          @change=${(e: Event) => this.onImport(e)} /></label>
      </div>
      ${est.notice ? html`<div class="small" role="status" data-testid="pg-credit-notice">${est.notice}</div>` : nothing}
      ${est.error ? html`<div class="error" role="alert" data-testid="pg-credit-error">${est.error}</div>` : nothing}
      ${est.fileError ? html`<div class="error" role="alert" data-testid="pg-file-error">${est.fileError}</div>` : nothing}
    </section>`;
  }

  private onImport(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file && this.session) void this.estimator.importCheckpoint(file, this.session.selection.env).then(() => { this.annotated = ''; if (this.session) this.followEpisode(this.session); });
  }

  private mark(step: number, m: Mark): void {
    this.marks = toggleMark(this.marks, step, m);
  }

  private renderCredit(e: LogEntry, c: StepCredit) {
    return html`<div class="credit-line" data-testid="pg-step-credit">
      <span class="c ${c.progress > 0 ? 'pos' : c.progress < 0 ? 'neg' : ''}" title="ĉ_t: this step's share of the final reward, by the estimator">ĉ ${signed(c.progress)}</span>
      <span class="muted" title="Σĉ up to this step">Σ ${signed(c.running)}</span>
      <span class="muted" title="g_t: the environment executed the action">g=${c.valid ? 1 : 0}</span>
      <span class="marks" role="group" aria-label=${`Your mark for step ${e.step}`}>
        <button class="mark" aria-pressed=${c.mark === 'progress' ? 'true' : 'false'} data-testid="pg-mark-progress" @click=${() => this.mark(e.step, 'progress')}>progress</button>
        <button class="mark" aria-pressed=${c.mark === 'none' ? 'true' : 'false'} data-testid="pg-mark-none" @click=${() => this.mark(e.step, 'none')}>no progress</button>
      </span>
      ${c.agrees === undefined ? nothing : html`<span class="tag ${c.agrees ? 'good' : 'bad'}" data-testid="pg-agree">${c.agrees ? 'estimator agrees' : `estimator says ${c.says === 'progress' ? 'progress' : 'no progress'}`}</span>`}
    </div>`;
  }

  private renderEntry(e: LogEntry, credit?: StepCredit) {
    if (e.action === null) {
      return html`<div class="entry start"><div class="obs">${e.text}</div></div>`;
    }
    return html`
      <div class="entry ${e.valid ? '' : 'invalid'}" data-testid="pg-entry">
        <div class="act">
          <span class="n">${e.step}</span>
          <span class="cmd">${e.action}</span>
          ${e.source === 'expert' ? html`<span class="tag">expert</span>` : nothing}
          ${e.valid ? nothing : html`<span class="tag bad">invalid</span>`}
          ${e.reward ? html`<span class="tag good">+${fmt(e.reward)}</span>` : nothing}
        </div>
        ${credit ? this.renderCredit(e, credit) : nothing}
        <div class="obs">${e.text}</div>
      </div>
    `;
  }
}

const STATUS_TEXT: Record<PlaygroundSession['status'], string> = { idle: 'Loading', playing: 'Playing', won: 'Won', over: 'Over' };

/** "+0.21", "−0.05", "0". */
function signed(x: number): string {
  const r = x.toFixed(2);
  if (Number(r) === 0) return '0';
  return x > 0 ? `+${r}` : `−${r.slice(1)}`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

if (!customElements.get('sw-playground')) customElements.define('sw-playground', PlaygroundScreen);

declare global {
  interface HTMLElementTagNameMap {
    'sw-playground': PlaygroundScreen;
  }
}
