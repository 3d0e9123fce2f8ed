// Styles shared by the lab's screens: panels, controls, tables, badges. Colours come from the
// theme's variables (shell/theme.css) only.

import { css } from 'lit';

export const labStyles = css`
  :host { display: block; min-width: 0; }
  /* The theme's box-sizing rule does not reach into shadow roots. */
  *, *::before, *::after { box-sizing: border-box; }
  .panel { background: var(--sw-panel); border: 1px solid var(--sw-border); border-radius: var(--sw-radius); padding: 14px 16px; min-width: 0; }
  h2 { font-size: 14.5px; margin: 0 0 10px; font-weight: 600; }
  h3 { font-size: 13px; margin: 0 0 8px; font-weight: 600; color: var(--sw-fg); }
  p.lede, .muted { color: var(--sw-muted); }
  p.lede { margin: 0 0 12px; }
  button, .button { font: inherit; font-weight: 600; border-radius: 8px; padding: 6px 12px; cursor: pointer; border: 1px solid var(--sw-border); background: var(--sw-panel-2); color: var(--sw-fg); }
  button.primary { background: var(--sw-accent); color: #0b0e13; border-color: transparent; }
  button:hover:not(:disabled) { border-color: var(--sw-accent); }
  button:disabled { opacity: .55; cursor: not-allowed; }
  button:focus-visible, select:focus-visible, input:focus-visible, summary:focus-visible, [tabindex]:focus-visible, label.file:focus-within { outline: 2px solid var(--sw-accent); outline-offset: 2px; }
  select, input[type=number], input[type=text], input:not([type]) { font: inherit; background: var(--sw-bg); color: var(--sw-fg); border: 1px solid var(--sw-border); border-radius: 7px; padding: 5px 8px; min-width: 0; }
  label.file { display: inline-flex; align-items: center; gap: 6px; font-weight: 600; border-radius: 8px; padding: 6px 12px; cursor: pointer; border: 1px solid var(--sw-border); background: var(--sw-panel-2); }
  label.file input { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
  .row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .field { display: grid; gap: 4px; font-size: 12.5px; }
  .field > span { color: var(--sw-muted); }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12.5px; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--sw-border); vertical-align: top; }
  th { color: var(--sw-muted); font-weight: 500; }
  td.num, th.num { text-align: right; font-family: var(--sw-mono); }
  .badge { display: inline-block; padding: 0 7px; border-radius: 99px; font-size: 11.5px; line-height: 18px; background: var(--sw-panel-2); color: var(--sw-muted); white-space: nowrap; }
  /* Opaque, so the contrast holds on any row background (selected rows are tinted). */
  .badge.good { background: #15301f; color: #74e3ad; }
  .badge.bad { background: #3b1d22; color: #ff9d9d; }
  .badge.warn { background: #352b17; color: #f5cf72; }
  .alert { padding: 9px 12px; border-radius: 8px; background: rgba(255,123,123,.12); color: var(--sw-bad); white-space: pre-wrap; word-break: break-word; margin: 0 0 12px; }
  .note { padding: 9px 12px; border-radius: 8px; background: var(--sw-accent-weak); color: var(--sw-fg); margin: 0 0 12px; }
  .warn-box { padding: 9px 12px; border-radius: 8px; background: rgba(240,192,90,.12); color: var(--sw-warn); margin: 0 0 10px; }
  .mono { font-family: var(--sw-mono); font-size: 12.5px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
