// What the Train screen shows when a run stopped because browser storage is full (the store's
// StoreQuotaError, recognised by its message since that is what crosses the worker boundary):
// what was being written, that nothing already stored was lost and the run can be resumed, and
// the stored runs largest first with their sizes, each with a Delete button, so "delete runs you
// no longer need" is something the user can do here and not only advice.

import { LitElement, css, html, nothing } from 'lit';
import { formatBytes, type RunUsage } from '../../run/persistence/store';
import { labStore } from '../lab/store';
import { labStyles } from '../lab/styles';
import { describeFailure } from '../trainer-client';
import { storageFullLead, usageText } from './storage-full-text';

export class StorageFull extends LitElement {
  static override properties = {
    message: {},
    runId: { attribute: 'run-id' },
    usage: { state: true },
    confirming: { state: true },
    failure: { state: true },
    quota: { state: true },
  };
  /** The error message that names the full store (StoreQuotaError's, possibly with more around it). */
  message = '';
  /** The run that stopped, marked in the list. */
  runId = '';
  usage: RunUsage[] | null = null;
  /** The run whose Delete was pressed once and waits for the confirming second press. */
  confirming = '';
  failure = '';
  /** navigator.storage.estimate(), where the browser offers it. */
  quota: { usage: number; quota: number } | null = null;

  static override styles = [labStyles, css`
    :host { display: block; margin: 0 0 12px; }
    .box { border: 1px solid var(--sw-bad); border-radius: 8px; padding: 10px 12px; background: rgba(255,123,123,.08); }
    h3 { margin: 0 0 4px; font-size: 14px; color: var(--sw-bad); }
    p { margin: 4px 0; font-size: 13px; }
    table { margin-top: 8px; }
    td, th { padding: 4px 8px 4px 0; text-align: left; }
    td.act { text-align: right; }
    .mine { color: var(--sw-muted); font-size: 11.5px; }
  `];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.usage = await (await labStore()).usage();
    } catch (e) {
      this.failure = `Could not list the stored runs: ${describeFailure(e).message}`;
    }
    try {
      const est = await navigator.storage?.estimate?.();
      this.quota = est?.usage !== undefined && est.quota !== undefined ? { usage: est.usage, quota: est.quota } : null;
    } catch {
      this.quota = null;
    }
  }

  private async deleteRun(u: RunUsage): Promise<void> {
    if (this.confirming !== u.runId) { this.confirming = u.runId; return; }
    this.confirming = '';
    try {
      await (await labStore()).deleteRun(u.runId);
      this.dispatchEvent(new CustomEvent('runs-changed', { bubbles: true, composed: true }));
    } catch (e) {
      this.failure = `Could not delete “${u.label || u.runId}”: ${describeFailure(e).message}`;
    }
    await this.load();
  }

  override render() {
    const lead = storageFullLead(this.message);
    const list = this.usage ?? [];
    return html`<div class="box" role="alert" data-testid="train-storage-full">
      <h3>Storage full</h3>
      <p>${lead ?? this.message}</p>
      <p>Nothing already stored was lost: the run and its earlier metrics and checkpoints are kept, and it can be resumed from its last checkpoint once there is room.</p>
      ${this.quota ? html`<p class="muted" data-testid="storage-estimate">This site uses ${formatBytes(this.quota.usage)} of the ${formatBytes(this.quota.quota)} the browser allows it.</p>` : nothing}
      ${this.failure ? html`<p class="err" style="color:var(--sw-bad)">${this.failure}</p>` : nothing}
      ${this.usage === null ? html`<p class="muted">Listing the stored runs…</p>` : list.length === 0 ? html`<p>No stored runs to delete: free some browser storage (other sites' data) and resume.</p>` : html`
        <p>Free space by deleting runs you no longer need (largest first):</p>
        <table data-testid="storage-runs">
          <thead><tr><th>Run</th><th>Stored</th><th><span class="sr-only">Delete</span></th></tr></thead>
          <tbody>${list.map((u) => html`<tr data-run=${u.runId}>
            <td>${u.label || u.runId}${u.runId === this.runId ? html` <span class="mine">(the run that stopped)</span>` : nothing}</td>
            <td class="mono">${usageText(u)}</td>
            <td class="act"><button data-testid="storage-delete" aria-label=${`Delete ${u.label || u.runId}`} @click=${() => void this.deleteRun(u)}>${this.confirming === u.runId ? 'Delete for good?' : 'Delete'}</button></td>
          </tr>`)}</tbody>
        </table>`}
    </div>`;
  }
}
customElements.define('sw-storage-full', StorageFull);
