// One trajectory, one step per row: the chosen action and its valid flag, a bar for ĉ_t, the running
// Σĉ, r_t, the advantage, the ratio and the clip status; the current step opens to show the
// observation and every candidate with its probability. A chart draws Σĉ against the final
// reward. All environment and import text is bound as text (Lit escapes it), never as HTML.

import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Trajectory } from '../../rl/trajectory';
import '../charts/line-chart';
import type { ChartSeries } from '../charts/line-chart';
import { OUTCOME_BADGE, OUTCOME_LABEL, outcomeOf } from '../lab/outcome';
import { labStyles } from '../lab/styles';
import { cumulativeProgress, type StepCredit } from './trajectory-view';

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

export class StepViewer extends LitElement {
  static override properties = {
    trajectory: { attribute: false },
    credit: { attribute: false },
    creditNote: { attribute: false },
    step: { type: Number },
  };
  trajectory: Trajectory | null = null;
  credit: StepCredit[] | null = null;
  creditNote: string | null = null;
  step = 0;

  static override styles = [labStyles, css`
    .head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; margin-bottom: 8px; }
    .goal { font-weight: 600; }
    .steps { display: grid; gap: 2px; margin-top: 10px; }
    .step { display: grid; grid-template-columns: 34px minmax(120px, 1.6fr) 56px 120px 64px 64px 64px 64px 60px; gap: 6px; align-items: center; padding: 5px 6px; border-radius: 6px; font-size: 12.5px; cursor: pointer; border: 1px solid transparent; background: none; color: inherit; font: inherit; text-align: left; width: 100%; }
    .step.head-row { color: var(--sw-muted); cursor: default; font-size: 11.5px; }
    .step:not(.head-row):hover { background: var(--sw-panel-2); }
    .step[aria-current='step'] { border-color: var(--sw-accent); background: var(--sw-accent-weak); }
    .step .act { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: var(--sw-mono); }
    .step .n { text-align: right; font-family: var(--sw-mono); }
    .bar { position: relative; height: 10px; background: var(--sw-panel-2); border-radius: 3px; }
    .bar::after { content: ''; position: absolute; left: 50%; top: -2px; bottom: -2px; width: 1px; background: var(--sw-border); }
    .bar span { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
    .bar .pos { background: var(--sw-good); }
    .bar .neg { background: var(--sw-bad); }
    .detail { background: var(--sw-bg); border: 1px solid var(--sw-border); border-radius: 8px; padding: 10px 12px; margin: 2px 0 8px; display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
    pre.obs { white-space: pre-wrap; word-break: break-word; margin: 0; font-family: var(--sw-mono); font-size: 12px; max-height: 180px; overflow: auto; }
    ol.cands { list-style: none; margin: 0; padding: 0; display: grid; gap: 3px; max-height: 200px; overflow: auto; }
    ol.cands li { display: grid; grid-template-columns: 1fr 54px; gap: 8px; align-items: center; font-family: var(--sw-mono); font-size: 12px; position: relative; padding: 1px 4px; }
    ol.cands li .p { position: absolute; left: 0; top: 0; bottom: 0; background: var(--sw-accent-weak); border-radius: 3px; z-index: 0; }
    ol.cands li > :not(.p) { position: relative; z-index: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    ol.cands li.chosen { color: var(--sw-accent); font-weight: 600; }
    .note { font-size: 12.5px; }
  `];

  protected override updated(changed: PropertyValues): void {
    if (changed.has('step')) {
      const cur = this.renderRoot.querySelector('[aria-current="step"]');
      cur?.scrollIntoView({ block: 'nearest' });
    }
  }

  private pick(i: number): void {
    this.dispatchEvent(new CustomEvent('step-change', { detail: i, bubbles: true, composed: true }));
  }

  private bar(c: number | undefined, scale: number) {
    if (c === undefined || !Number.isFinite(c)) return html`<div class="bar" title="no estimate"></div>`;
    const w = Math.min(50, (Math.abs(c) / scale) * 50);
    return html`<div class="bar" role="img" aria-label=${`ĉ = ${fmt(c)}`}><span class=${c >= 0 ? 'pos' : 'neg'} style=${c >= 0 ? `left:50%;width:${w}%` : `right:50%;width:${w}%`}></span></div>`;
  }

  override render() {
    const t = this.trajectory;
    if (!t) return html`<p class="lede">Pick a trajectory on the left to step through it.</p>`;
    const sums = cumulativeProgress(t);
    const scale = Math.max(1e-9, ...t.steps.map((s) => Math.abs(s.progress ?? 0)));
    const x = t.steps.map((_, i) => i);
    const series: ChartSeries[] = [
      { label: 'Σĉ (cumulative estimate)', values: sums },
      { label: `final reward R = ${fmt(t.finalReward, 2)}`, values: x.map(() => t.finalReward), dash: true, color: '#f0c05a' },
    ];
    const valid = t.steps.filter((s) => s.valid).length;
    const outcome = outcomeOf(t);
    return html`
      <div class="head">
        <span class="goal" data-testid="tv-goal">${t.goal}</span>
        <span class="badge ${OUTCOME_BADGE[outcome]}" data-testid="tv-outcome">${OUTCOME_LABEL[outcome]}</span>
        <span class="muted">R = ${fmt(t.finalReward, 2)} · ${t.steps.length} steps · ${valid}/${t.steps.length} valid · iteration ${t.iteration} · task <span class="mono">${t.taskId}</span></span>
      </div>
      <sw-line-chart heading="Σĉ over the steps against the final reward" x-label="step" .x=${x} .series=${series} height="130"></sw-line-chart>
      ${this.creditNote ? html`<p class="note" data-testid="tv-credit-note">r_t and advantage not shown: ${this.creditNote}</p>` : nothing}
      <div class="steps" role="list" aria-label="Steps">
        <div class="step head-row" aria-hidden="true"><span>t</span><span>action</span><span>valid</span><span>ĉ_t</span><span class="n">Σĉ</span><span class="n">r_t</span><span class="n">A_t</span><span class="n">ratio</span><span>clip</span></div>
        ${t.steps.map((s, i) => {
          const c = this.credit?.[i];
          const current = i === this.step;
          return html`<div role="listitem">
            <button class="step" data-testid="tv-step" aria-current=${current ? 'step' : 'false'} @click=${() => this.pick(i)}
              aria-label=${`Step ${i}: ${s.admissible[s.action]}`}>
              <span class="n">${i}</span>
              <span class="act" title=${s.admissible[s.action]}>${s.admissible[s.action]}</span>
              <span class="badge ${s.valid ? 'good' : 'bad'}">${s.valid ? 'valid' : 'invalid'}</span>
              ${this.bar(s.progress, scale)}
              <span class="n">${fmt(sums[i])}</span>
              <span class="n">${fmt(c?.reward)}</span>
              <span class="n">${fmt(c?.advantage)}</span>
              <span class="n">${fmt(c?.ratio)}</span>
              <span>${c?.clipped === null || c?.clipped === undefined ? '–' : c.clipped ? html`<span class="badge warn">clipped</span>` : 'no'}</span>
            </button>
            ${current ? this.detail(t, i) : nothing}
          </div>`;
        })}
      </div>`;
  }

  private detail(t: Trajectory, i: number) {
    const s = t.steps[i];
    return html`<div class="detail" data-testid="tv-detail">
      <div>
        <h3>Observation before step ${i}</h3>
        <pre class="obs" data-testid="tv-observation">${s.observation}</pre>
        <p class="muted" style="margin:8px 0 0">env reward ${fmt(s.reward, 2)} · V(s) ${fmt(s.value)} · log π_old ${fmt(s.logpOld)}${s.done ? ' · done' : ''}</p>
      </div>
      <div>
        <h3>Candidates (π_old)</h3>
        <ol class="cands" data-testid="tv-candidates">
          ${s.admissible.map((a, k) => html`<li class=${k === s.action ? 'chosen' : ''}>
            <span class="p" style=${`width:${Math.max(0, Math.min(1, s.probs[k])) * 100}%`}></span>
            <span title=${a}>${k === s.action ? '▸ ' : ''}${a}</span><span class="n">${(s.probs[k] * 100).toFixed(1)}%</span></li>`)}
        </ol>
      </div>
    </div>`;
  }
}
customElements.define('sw-step-viewer', StepViewer);
