// Shown instead of the lab when WebGPU cannot start: what went wrong, and how to fix it.

import { LitElement, css, html } from 'lit';
import type { GpuUnavailableError } from '../../gpu';
import { TrainerError } from '../../run/protocol';

export class GpuUnavailable extends LitElement {
  static override properties = { error: { attribute: false } };
  /** The trainer's TrainerError 'no-webgpu' (cause and fix in details), or any other failure. */
  error: TrainerError | GpuUnavailableError | Error | null = null;

  static override styles = css`
    :host { display: block; max-width: 720px; margin: 48px auto; }
    section { background: var(--sw-panel); border: 1px solid var(--sw-border); border-left: 3px solid var(--sw-warn); border-radius: var(--sw-radius); padding: 22px 26px; }
    h2 { margin: 0 0 8px; font-size: 18px; }
    p { color: var(--sw-muted); }
    code, pre { font-family: var(--sw-mono); font-size: 12.5px; }
    pre { background: var(--sw-bg); border: 1px solid var(--sw-border); padding: 10px 12px; border-radius: 8px; white-space: pre-wrap; color: var(--sw-fg); }
    ol { padding-left: 20px; line-height: 1.8; }
  `;

  override render() {
    const e = this.error;
    const cause = e instanceof TrainerError ? (e.details.cause ?? e.code) : e && 'cause' in e && typeof e.cause === 'string' ? e.cause : 'unknown';
    const fix = e instanceof TrainerError ? (e.details.fix ?? '') : e && 'fix' in e ? (e as GpuUnavailableError).fix : '';
    // The message ends with the fix, which the panel already shows in full above.
    const detail = (e?.message ?? '').replace(fix, '').trim();
    return html`<section role="alert">
      <h2>WebGPU unavailable — here is how to enable it</h2>
      <p>Stepwise trains on your GPU through WebGPU, and this browser did not give it one (<code>${cause}</code>).</p>
      <pre>${fix || e?.message || 'No details.'}</pre>
      <ol>
        <li>Use a current Chrome or Edge (version 113 or later) on desktop.</li>
        <li>Open the lab from <code>http://localhost:5173</code> or <code>http://127.0.0.1:5173</code>: WebGPU needs a secure context.</li>
        <li>Check <code>chrome://gpu</code> for "WebGPU: Hardware accelerated". On Linux, start Chrome with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.</li>
        <li>No GPU at all? Chromium's software adapter works: <code>--use-vulkan=swiftshader --use-webgpu-adapter=swiftshader</code>.</li>
      </ol>
      ${detail ? html`<p>Technical detail: <code>${detail}</code></p>` : ''}
    </section>`;
  }
}
customElements.define('sw-gpu-unavailable', GpuUnavailable);
