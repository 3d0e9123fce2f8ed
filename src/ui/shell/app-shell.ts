// The lab's frame: header with the adapter, navigation over the screens that exist, and the
// routed screen. Screens are loaded on first visit and kept while the page lives (their state
// survives switching tabs); the URL hash holds the route and its state (url-state.ts).
//
// The page holds no GPU device: the adapter in the header is the trainer worker's, asked through
// the trainer protocol, and a lost device arrives from the worker as an event.

import { LitElement, css, html, nothing } from 'lit';
import { describeAdapter, type AdapterSummary } from '../../gpu';
import type { TrainerEvent } from '../../run/protocol';
import { screens, type ScreenEntry } from '../screens';
import { trainer } from '../trainer-client';
import { formatRoute, parseRoute } from './route';
import './gpu-check';
import './gpu-unavailable';

const GPU_ROUTE = 'gpu';

export class AppShell extends LitElement {
  static override properties = {
    adapter: { state: true },
    gpuError: { state: true },
    lost: { state: true },
    route: { state: true },
    loaded: { state: true },
  };
  adapter: AdapterSummary | null = null;
  gpuError: Error | null = null;
  /** The trainer's device was lost or its worker crashed (one line for the banner). */
  lost: string | null = null;
  route = parseRoute(location.hash);
  loaded = new Set<string>();
  /** Each visited screen's element, kept so its state outlives a tab switch. */
  private readonly elements = new Map<string, HTMLElement>();
  private stopEvents: (() => void) | null = null;

  static override styles = css`
    :host { display: grid; grid-template-rows: auto 1fr; min-height: 100vh; }
    header { display: flex; align-items: center; gap: 28px; padding: 0 24px; height: 56px; border-bottom: 1px solid var(--sw-border); background: var(--sw-panel); position: sticky; top: 0; z-index: 5; }
    .brand { display: flex; align-items: center; gap: 10px; font-weight: 650; letter-spacing: .2px; font-size: 16px; color: var(--sw-fg); text-decoration: none; }
    .brand small { color: var(--sw-muted); font-weight: 400; font-size: 12.5px; }
    nav { display: flex; gap: 4px; height: 100%; }
    nav a { display: flex; align-items: center; padding: 0 12px; color: var(--sw-muted); text-decoration: none; border-bottom: 2px solid transparent; font-weight: 500; }
    nav a:hover { color: var(--sw-fg); }
    nav a[aria-current='page'] { color: var(--sw-fg); border-bottom-color: var(--sw-accent); }
    .adapter { margin-left: auto; display: flex; align-items: center; gap: 8px; padding: 5px 12px; border-radius: 99px; border: 1px solid var(--sw-border); color: var(--sw-muted); font-size: 12.5px; text-decoration: none; max-width: 460px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .adapter:hover { color: var(--sw-fg); border-color: var(--sw-accent); }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--sw-good); flex: none; }
    .dot.soft { background: var(--sw-warn); } .dot.off { background: var(--sw-bad); } .dot.wait { background: var(--sw-muted); }
    main { padding: 22px 24px; min-width: 0; }
    .banner { margin: 0 0 16px; padding: 10px 14px; border-radius: 8px; background: rgba(255,123,123,.12); color: var(--sw-bad); }
    .title { display: flex; align-items: baseline; gap: 12px; margin: 0 0 16px; }
    .title h1 { font-size: 19px; margin: 0; font-weight: 600; }
    .title span { color: var(--sw-muted); }
  `;

  private readonly onHash = () => { this.route = parseRoute(location.hash); };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    this.stopEvents = trainer().onEvent((e) => this.onTrainerEvent(e));
    void this.askAdapter();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    this.stopEvents?.();
    super.disconnectedCallback();
  }

  private onTrainerEvent(e: TrainerEvent): void {
    // Worker-level events only (runId ''); the screens show their runs' own.
    if (e.type !== 'error' || e.runId !== '') return;
    this.lost = e.message;
    this.adapter = null;
    void this.askAdapter();
  }

  private async askAdapter(): Promise<void> {
    try {
      const { adapter } = await trainer().gpuInfo();
      this.adapter = adapter;
      this.gpuError = null;
      this.dataset.adapter = describeAdapter(adapter);
    } catch (e) {
      this.gpuError = e instanceof Error ? e : new Error(String(e));
      this.dataset.adapter = 'none';
    }
  }

  /** The screen to show: the route's if it exists, else the first screen, else the GPU panel. */
  private current(): ScreenEntry | null {
    if (this.route.screen === GPU_ROUTE) return null;
    return screens.find((s) => s.id === this.route.screen) ?? screens[0] ?? null;
  }

  override updated(): void {
    const s = this.current();
    if (s && !this.loaded.has(s.id)) {
      void s.load().then(() => { this.loaded = new Set([...this.loaded, s.id]); });
    }
  }

  private chip() {
    if (this.gpuError) return html`<a class="adapter" href=${formatRoute(GPU_ROUTE)}><span class="dot off"></span>WebGPU unavailable</a>`;
    if (!this.adapter) return html`<a class="adapter"><span class="dot wait"></span>Starting WebGPU…</a>`;
    const i = this.adapter;
    const label = `${i.vendor || 'GPU'} · ${i.architecture || i.description || 'adapter'}${i.isSoftware ? ' · software' : ''}`;
    return html`<a class="adapter" href=${formatRoute(GPU_ROUTE)} title=${describeAdapter(i)} data-testid="adapter-chip">
      <span class="dot ${i.isSoftware ? 'soft' : ''}"></span>${label}</a>`;
  }

  private screen(s: ScreenEntry | null) {
    if (this.gpuError && (!s || s.needsGpu)) return html`<sw-gpu-unavailable .error=${this.gpuError}></sw-gpu-unavailable>`;
    if (!s) {
      return html`<div class="title"><h1>GPU check</h1><span>the adapter this tab trains on, and a live kernel check</span></div>
        <sw-gpu-check .adapter=${this.adapter}></sw-gpu-check>`;
    }
    if (!this.loaded.has(s.id)) return html`<p style="color:var(--sw-muted)">Loading ${s.label}…</p>`;
    // Screens are registered custom elements; create the routed one by tag, once.
    let el = this.elements.get(s.id);
    if (!el) {
      el = document.createElement(s.tag);
      this.elements.set(s.id, el);
    }
    return el;
  }

  override render() {
    const s = this.current();
    const active = s?.id ?? GPU_ROUTE;
    return html`
      <header>
        <a class="brand" href="#/"><img src="/favicon.svg" width="24" height="24" alt="" />Stepwise <small>credit-assignment lab</small></a>
        <nav aria-label="Screens">
          ${screens.map((x) => html`<a href=${formatRoute(x.id)} title=${x.blurb} aria-current=${active === x.id ? 'page' : 'false'}>${x.label}</a>`)}
          <a href=${formatRoute(GPU_ROUTE)} title="The adapter and a live matmul check" aria-current=${active === GPU_ROUTE ? 'page' : 'false'}>GPU</a>
        </nav>
        ${this.chip()}
      </header>
      <main>
        ${this.lost ? html`<p class="banner" role="alert">${this.lost}</p>` : nothing}
        ${this.screen(s)}
      </main>`;
  }
}
customElements.define('sw-app', AppShell);
