// A line chart on uPlot: x values and one or more series, resized with its box, and exportable
// as PNG (the plot's canvas plus its title and legend drawn beside it). Series may have gaps
// (null); a series with no values is drawn as nothing but still listed in the legend.

import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { xRange } from './x-range';

export interface ChartSeries {
  label: string;
  /** One value per x; null where the series has no value. */
  values: (number | null)[];
  color?: string;
  dash?: boolean;
}

/** Series colours in order, readable on the dark panel and distinct for colour-blind readers. */
export const PALETTE = ['#7aa2ff', '#f0c05a', '#5fd49a', '#ff7b7b', '#c792ea', '#4fd1d9', '#f78c6c', '#b0bec5'];

/** Tick spacings for counted axes: 1, 2, 5, 10, 20, 50, … */
const INTEGER_TICKS = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

function readVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export class LineChart extends LitElement {
  static override properties = {
    heading: {},
    x: { attribute: false },
    series: { attribute: false },
    xLabel: { attribute: 'x-label' },
    height: { type: Number },
    integerX: { type: Boolean, attribute: 'integer-x' },
    xMin: { attribute: false },
    xMax: { attribute: false },
  };
  heading = '';
  xLabel = 'iteration';
  x: number[] = [];
  series: ChartSeries[] = [];
  height = 180;
  /** x counts something (iterations, steps): ticks only on whole numbers. */
  integerX = true;
  /**
   * The x range always covers the data; these widen it (a run's configured iterations, so the axis
   * shows how far the run has to go). null: the data alone decides.
   */
  xMin: number | null = null;
  xMax: number | null = null;

  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;
  /** Structure (series names/count) the current plot was built for; data-only changes reuse it. */
  private shape = '';

  static override styles = [unsafeCSS(uplotCss), css`
    :host { display: block; min-width: 0; }
    figure { margin: 0; }
    figcaption { font-size: 13px; font-weight: 600; margin: 0 0 6px; color: var(--sw-fg); }
    .plot { min-height: 40px; }
    .empty { color: var(--sw-muted); font-size: 12.5px; padding: 24px 0; text-align: center; border: 1px dashed var(--sw-border); border-radius: 8px; }
    .u-legend { font-size: 12px; color: var(--sw-muted); text-align: left; }
    .u-legend .u-marker { width: 10px; height: 10px; }
  `];

  override render() {
    const empty = this.x.length === 0 || this.series.every((s) => s.values.every((v) => v === null));
    return html`<figure role="figure" aria-label=${this.heading}>
      ${this.heading ? html`<figcaption>${this.heading}</figcaption>` : ''}
      <div class="plot" ?hidden=${empty}></div>
      ${empty ? html`<div class="empty">No data yet</div>` : ''}
    </figure>`;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('x') || changed.has('series') || changed.has('height') || changed.has('xMin') || changed.has('xMax')) this.draw();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(() => {
      const box = this.renderRoot.querySelector('.plot') as HTMLElement | null;
      if (this.plot && box && box.clientWidth > 0) this.plot.setSize({ width: box.clientWidth, height: this.height });
    });
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.shape = '';
    super.disconnectedCallback();
  }

  private draw(): void {
    const box = this.renderRoot.querySelector('.plot') as HTMLElement | null;
    if (!box) return;
    const data = [this.x, ...this.series.map((s) => s.values)] as uPlot.AlignedData;
    const shape = `${this.height}|${this.integerX}|${this.series.map((s) => `${s.label}/${s.color ?? ''}/${s.dash ? 1 : 0}`).join('|')}`;
    if (this.plot && shape === this.shape) {
      this.plot.setData(data);
      this.fitX();
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    const muted = readVar(this, '--sw-muted', '#8b96a7');
    const grid = readVar(this, '--sw-border', '#262e3a');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '11px system-ui, sans-serif' };
    this.plot = new uPlot({
      width: Math.max(box.clientWidth, 200),
      height: this.height,
      scales: { x: { time: false } },
      legend: { live: false },
      axes: [{ ...axis, ...(this.integerX ? { incrs: INTEGER_TICKS } : {}), label: this.xLabel, labelFont: '11px system-ui, sans-serif', labelSize: 16 }, { ...axis, size: 52 }],
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: this.xLabel },
        ...this.series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: 1.6,
          dash: s.dash ? [5, 4] : undefined,
          spanGaps: true,
          points: { show: this.x.length < 40, size: 4 },
        })),
      ],
    }, data, box);
    this.fitX();
  }

  /**
   * uPlot auto-scales x to the data alone (a lone value spreads over 0…100) and calls a scale's
   * range function only without data, so the x range is set after every data change instead.
   */
  private fitX(): void {
    if (!this.plot || this.x.length === 0) return;
    const finite = this.x.filter((v) => Number.isFinite(v));
    const [min, max] = xRange(finite.length ? Math.min(...finite) : null, finite.length ? Math.max(...finite) : null, this.xMin, this.xMax, this.integerX);
    this.plot.setScale('x', { min, max });
  }

  /** The plot as a PNG data URL: title, the canvas, and the legend's names and colours. */
  toPng(): string {
    const source = this.renderRoot.querySelector('canvas');
    const dpr = window.devicePixelRatio || 1;
    const pad = 12 * dpr, title = 22 * dpr, legend = 22 * dpr;
    const out = document.createElement('canvas');
    out.width = (source?.width ?? 400) + 2 * pad;
    out.height = (source?.height ?? 0) + title + legend + 2 * pad;
    const g = out.getContext('2d');
    if (!g) throw new Error('no 2D canvas context for the PNG export');
    g.fillStyle = readVar(this, '--sw-panel', '#151a22');
    g.fillRect(0, 0, out.width, out.height);
    g.fillStyle = readVar(this, '--sw-fg', '#e3e8ef');
    g.font = `600 ${13 * dpr}px system-ui, sans-serif`;
    g.fillText(this.heading, pad, pad + 14 * dpr);
    if (source) g.drawImage(source, pad, pad + title);
    let x = pad;
    const y = pad + title + (source?.height ?? 0) + 15 * dpr;
    g.font = `${12 * dpr}px system-ui, sans-serif`;
    this.series.forEach((s, i) => {
      g.fillStyle = s.color ?? PALETTE[i % PALETTE.length];
      g.fillRect(x, y - 9 * dpr, 10 * dpr, 10 * dpr);
      g.fillStyle = readVar(this, '--sw-fg', '#e3e8ef');
      g.fillText(s.label, x + 14 * dpr, y);
      x += g.measureText(s.label).width + 30 * dpr;
    });
    return out.toDataURL('image/png');
  }
}
customElements.define('sw-line-chart', LineChart);
