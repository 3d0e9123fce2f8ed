// The lab's frame: header with the adapter, navigation over the screens that exist, and the
// routed screen. Screens are loaded on first visit; the URL hash holds the route and its state.

import { LitElement, css, html, nothing } from 'lit';
import { Gpu, GpuUnavailableError, describeAdapter, type DeviceLostError } from '../../gpu';
import { screens, type ScreenEntry } from '../screens';
import { formatRoute, parseRoute } from './route';
import './gpu-check';
import './gpu-unavailable';

const GPU_ROUTE = 'gpu';

export class AppShell extends LitElement {
  static override properties = {
    gpu: { state: true },
    gpuError: { state: true },
    lost: { state: true },
    route: { state: true },
    loaded: { state: true },
  };
  gpu: Gpu | null = null;
  gpuError: Error | null = null;
  lost: DeviceLostError | null = null;
  route = parseRoute(location.hash);
  loaded = new Set<string>();

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
    void this.startGpu();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    super.disconnectedCallback();
  }

  private async startGpu(): Promise<void> {
    try {
      const gpu = await Gpu.create();
      gpu.handle.onLost((e) => { this.lost = e; this.gpu = null; });
      this.gpu = gpu;
      this.dataset.adapter = describeAdapter(gpu.info);
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
    if (!this.gpu) return html`<a class="adapter"><span class="dot wait"></span>Starting WebGPU…</a>`;
    const i = this.gpu.info;
    const label = `${i.vendor || 'GPU'} · ${i.architecture || i.description || 'adapter'}${i.isSoftware ? ' · software' : ''}`;
    return html`<a class="adapter" href=${formatRoute(GPU_ROUTE)} title=${describeAdapter(i)} data-testid="adapter-chip">
      <span class="dot ${i.isSoftware ? 'soft' : ''}"></span>${label}</a>`;
  }

  private screen(s: ScreenEntry | null) {
    if (this.gpuError && (!s || s.needsGpu)) return html`<sw-gpu-unavailable .error=${this.gpuError}></sw-gpu-unavailable>`;
    if (!s) {
      return html`<div class="title"><h1>GPU check</h1><span>the adapter this tab trains on, and a live kernel check</span></div>
        <sw-gpu-check .gpu=${this.gpu}></sw-gpu-check>`;
    }
    if (!this.loaded.has(s.id)) return html`<p style="color:var(--sw-muted)">Loading ${s.label}…</p>`;
    // Screens are registered custom elements; create the routed one by tag.
    const el = document.createElement(s.tag);
    (el as HTMLElement & { gpu?: Gpu | null }).gpu = this.gpu;
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
        ${this.lost ? html`<p class="banner" role="alert">${this.lost.message}</p>` : nothing}
        ${this.screen(s)}
      </main>`;
  }
}
customElements.define('sw-app', AppShell);
