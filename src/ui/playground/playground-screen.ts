// The Playground: pick an environment, split, task and seed, then play by hand. Every
// admissible action is a button, a text box takes any command, and the expert can give a hint.
// The episode runs on the env worker pool (one Web Worker). Environment text is always bound as
// text (Lit escapes it); nothing here renders HTML from an environment.

import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { browserSpawner } from '../../envs/pool/spawn-browser';
import type { SplitName } from '../../envs/env';
import { PLAYGROUND_STATE, UrlState } from '../url-state';
import { PlaygroundSession, filterActions, type LogEntry } from './playground-session';
import { playgroundStyles } from './playground-styles';

export class PlaygroundScreen extends LitElement {
  static override styles = playgroundStyles;

  static override properties = {
    hintShown: { state: true },
    filter: { state: true },
    draft: { state: true },
    tick: { state: true },
  };

  declare hintShown: boolean;
  declare filter: string;
  declare draft: string;
  /** Bumped whenever the session changes, to re-render. */
  declare tick: number;

  private session: PlaygroundSession | null = null;
  /** The selection last written to the URL. */
  private written = '';
  private unsubscribe: (() => void) | null = null;
  private readonly url = new UrlState(PLAYGROUND_STATE);

  constructor() {
    super();
    this.hintShown = false;
    this.filter = '';
    this.draft = '';
    this.tick = 0;
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
              ${s.log.map((e) => this.renderEntry(e))}
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

  private renderEntry(e: LogEntry) {
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
        <div class="obs">${e.text}</div>
      </div>
    `;
  }
}

const STATUS_TEXT: Record<PlaygroundSession['status'], string> = { idle: 'Loading', playing: 'Playing', won: 'Won', over: 'Over' };

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

if (!customElements.get('sw-playground')) customElements.define('sw-playground', PlaygroundScreen);

declare global {
  interface HTMLElementTagNameMap {
    'sw-playground': PlaygroundScreen;
  }
}
