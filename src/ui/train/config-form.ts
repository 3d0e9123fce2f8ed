// The run config as a form, generated from its field declarations (run/config.ts): one control per
// field by kind, labelled with the field's label and help, the main fields first and the rest under
// "Advanced", grouped by section. It edits a draft and reports it; the screen validates.

import { LitElement, css, html, nothing } from 'lit';
import { RUN_CONFIG_FIELDS, type ConfigIssue, type RunConfig } from '../../run/config';
import { expectation, getPath, setPath, type Field } from '../../run/config-fields';
import { MODEL_CATALOGUE } from '../../policy/model-catalogue';
import { labStyles } from '../lab/styles';

const SECTION_LABEL: Record<string, string> = {
  '': 'Run', tasks: 'Tasks', episode: 'Episodes', sft: 'SFT', bc: 'Behaviour cloning', explore: 'Exploration', estimator: 'Progress estimator',
  ppo: 'PPO', gigpo: 'GiGPO', eval: 'Evaluation',
};

const idOf = (path: string) => `f-${path.replace(/\./g, '-')}`;

export class ConfigForm extends LitElement {
  static override properties = {
    config: { attribute: false },
    issues: { attribute: false },
    disabled: { type: Boolean },
  };
  config: RunConfig | null = null;
  issues: ConfigIssue[] = [];
  disabled = false;

  static override styles = [labStyles, css`
    /* align-items: start: a tall neighbour (a group of checkboxes) must not stretch an input. */
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 12px; align-items: start; }
    .field input, .field select { width: 100%; }
    .field.flag { grid-auto-flow: column; justify-content: start; align-items: center; }
    .field.flag input { width: auto; }
    .err { color: var(--sw-bad); font-size: 11.5px; }
    [aria-invalid='true'] { border-color: var(--sw-bad); }
    details { margin-top: 12px; border-top: 1px solid var(--sw-border); padding-top: 10px; }
    summary { cursor: pointer; font-weight: 600; font-size: 13px; }
    fieldset { border: 0; padding: 0; margin: 12px 0 0; }
    legend { font-size: 12px; font-weight: 600; color: var(--sw-accent); padding: 0 0 6px; }
    .choices { display: flex; gap: 10px; flex-wrap: wrap; }
    .choices label { display: flex; gap: 4px; align-items: center; color: var(--sw-fg); }
  `];

  private change(path: string, value: unknown): void {
    if (!this.config) return;
    const next = structuredClone(this.config) as unknown as Record<string, unknown>;
    setPath(next, path, value);
    this.dispatchEvent(new CustomEvent<RunConfig>('config-change', { detail: next as unknown as RunConfig, bubbles: true, composed: true }));
  }

  private control(path: string, f: Field) {
    const value = getPath(this.config, path);
    const issue = this.issues.find((i) => i.field === path);
    const id = idOf(path);
    const described = issue ? `${id}-err` : nothing;
    const title = `${f.help ? `${f.help} ` : ''}Accepts ${expectation(f)}.`;
    let input;
    switch (f.kind) {
      case 'int':
      case 'number':
        input = html`<input id=${id} type="number" .value=${String(value)} min=${f.min} max=${f.max} step=${f.kind === 'int' ? 1 : 'any'}
          aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} ?disabled=${this.disabled}
          @change=${(e: Event) => { const raw = (e.target as HTMLInputElement).value; this.change(path, raw.trim() === '' ? raw : Number(raw)); }} />`;
        break;
      case 'choice':
        input = html`<select id=${id} aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} ?disabled=${this.disabled}
          @change=${(e: Event) => this.change(path, (e.target as HTMLSelectElement).value)}>
          ${f.options.map((o) => html`<option value=${o} ?selected=${o === value}>${o}</option>`)}</select>`;
        break;
      case 'choices': {
        const chosen = value as string[];
        return html`<div class="field" role="group" aria-labelledby=${`${id}-label`} title=${title}>
          <span id=${`${id}-label`}>${f.label}</span>
          <div class="choices">${f.options.map((o) => html`<label><input type="checkbox" .checked=${chosen.includes(o)} ?disabled=${this.disabled}
            @change=${(e: Event) => this.change(path, (e.target as HTMLInputElement).checked ? f.options.filter((x) => x === o || chosen.includes(x)) : chosen.filter((x) => x !== o))} />${o}</label>`)}</div>
          ${issue ? html`<span class="err" id=${`${id}-err`}>${issue.message}</span>` : nothing}</div>`;
      }
      case 'flag':
        return html`<label class="field flag" title=${title}><input id=${id} type="checkbox" .checked=${Boolean(value)} ?disabled=${this.disabled}
          @change=${(e: Event) => this.change(path, (e.target as HTMLInputElement).checked)} /><span>${f.label}</span></label>`;
      case 'text':
        input = html`<input id=${id} type="text" .value=${String(value)} list=${path === 'model' ? 'models' : nothing} maxlength=${f.maxLength}
          aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} ?disabled=${this.disabled}
          @change=${(e: Event) => this.change(path, (e.target as HTMLInputElement).value)} />`;
        break;
    }
    return html`<div class="field" title=${title}><label for=${id}><span class="muted">${f.label}</span></label>${input}
      ${issue ? html`<span class="err" id=${`${id}-err`} data-testid="cfg-error">${issue.message}</span>` : nothing}</div>`;
  }

  override render() {
    if (!this.config) return nothing;
    const main = RUN_CONFIG_FIELDS.filter((f) => !f.field.advanced);
    const advanced = RUN_CONFIG_FIELDS.filter((f) => f.field.advanced);
    const sections = [...new Set(advanced.map((f) => (f.path.includes('.') ? f.path.split('.')[0] : '')))];
    // An issue in an advanced field opens the section, so the message is never hidden.
    const openAdvanced = this.issues.some((i) => advanced.some((f) => f.path === i.field));
    return html`
      <div class="grid">${main.map((f) => this.control(f.path, f.field))}</div>
      <datalist id="models">${MODEL_CATALOGUE.map((m) => html`<option value=${m.id}>${m.label}</option>`)}</datalist>
      <details ?open=${openAdvanced}>
        <summary>Advanced (${advanced.length} settings)</summary>
        ${sections.map((s) => html`<fieldset><legend>${SECTION_LABEL[s] ?? s}</legend>
          <div class="grid">${advanced.filter((f) => (f.path.includes('.') ? f.path.split('.')[0] : '') === s).map((f) => this.control(f.path, f.field))}</div></fieldset>`)}
      </details>`;
  }
}
customElements.define('sw-config-form', ConfigForm);
