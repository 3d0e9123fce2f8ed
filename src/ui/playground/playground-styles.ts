import { css } from 'lit';

// Colours come from the shell's theme variables; the fallbacks keep the screen readable on its own.
export const playgroundStyles = css`
  :host {
    display: block;
    /* Fill the window below the shell's header (56px + 1px border) and main padding (2 x 22px), so the log
       and the action list scroll inside their panels instead of the page growing. */
    height: calc(100vh - var(--sw-shell-chrome, 101px));
    min-height: 480px;
    color: var(--sw-fg, #dde3ea);
    font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif;
    --pg-panel: var(--sw-panel, #161a21);
    --pg-border: var(--sw-border, #262c36);
    --pg-muted: var(--sw-muted, #8a94a3);
    --pg-accent: var(--sw-accent, #6aa9ff);
    --pg-good: var(--sw-good, #4cc38a);
    --pg-bad: var(--sw-bad, #f06a6a);
    --pg-mono: var(--sw-mono, ui-monospace, 'SFMono-Regular', 'JetBrains Mono', Menlo, Consolas, monospace);
  }
  * {
    box-sizing: border-box;
  }
  .pg {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
    gap: 10px;
  }
  .controls {
    display: flex;
    align-items: flex-end;
    gap: 14px;
    flex-wrap: wrap;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .k {
    font-size: 11px;
    letter-spacing: 0.06em;
    text-transform: uppercase;
    color: var(--pg-muted);
  }
  .muted {
    color: var(--pg-muted);
  }
  .small {
    font-size: 12px;
  }
  select,
  input,
  button {
    font: inherit;
    color: inherit;
  }
  select,
  input[type='number'],
  input[type='text'],
  input[type='search'] {
    background: var(--sw-bg, #0f1217);
    border: 1px solid var(--pg-border);
    border-radius: 6px;
    height: 32px;
    padding: 0 9px;
    outline: none;
  }
  select:focus,
  input:focus {
    border-color: var(--pg-accent);
  }
  select {
    min-width: 150px;
  }
  .seed input {
    width: 84px;
  }
  .stepper {
    display: flex;
    align-items: center;
    gap: 4px;
  }
  .stepper input {
    width: 76px;
    text-align: center;
  }
  button {
    cursor: pointer;
    border-radius: 6px;
    border: 1px solid var(--pg-border);
    background: var(--pg-panel);
    height: 32px;
    padding: 0 12px;
  }
  button:hover:not(:disabled) {
    border-color: var(--pg-accent);
  }
  button:disabled {
    cursor: default;
    opacity: 0.45;
  }
  button.icon {
    width: 32px;
    padding: 0;
    font-size: 17px;
    line-height: 1;
  }
  button.primary {
    background: var(--pg-accent);
    border-color: var(--pg-accent);
    color: #0b1020;
    font-weight: 600;
  }
  .spacer {
    flex: 1;
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 7px;
    font-size: 12px;
    color: var(--pg-muted);
    height: 32px;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--pg-good);
  }
  .dot.busy {
    background: var(--pg-accent);
  }
  .task-label {
    font-size: 12.5px;
    color: var(--pg-muted);
    font-family: var(--pg-mono);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .body {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(0, 1.65fr) minmax(300px, 1fr);
    gap: 14px;
  }
  .log-panel,
  .side {
    min-height: 0;
    display: flex;
    flex-direction: column;
    background: var(--pg-panel);
    border: 1px solid var(--pg-border);
    border-radius: 10px;
  }
  .log {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    padding: 12px 14px;
    display: flex;
    flex-direction: column;
    gap: 10px;
  }
  .entry .obs {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font-family: var(--pg-mono);
    font-size: 13px;
  }
  .entry.start .obs {
    color: var(--sw-fg, #dde3ea);
    padding-bottom: 4px;
    border-bottom: 1px dashed var(--pg-border);
  }
  .entry .act {
    display: flex;
    align-items: center;
    gap: 8px;
    margin-bottom: 2px;
  }
  .entry .n {
    min-width: 22px;
    font-size: 11px;
    color: var(--pg-muted);
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .entry .cmd {
    font-family: var(--pg-mono);
    font-size: 13px;
    color: var(--pg-accent);
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .entry .cmd::before {
    content: '> ';
    color: var(--pg-muted);
  }
  .entry .obs {
    padding-left: 30px;
  }
  .entry.start .obs {
    padding-left: 0;
  }
  .entry.invalid .obs {
    color: var(--pg-muted);
  }
  .tag {
    font-size: 10.5px;
    text-transform: uppercase;
    letter-spacing: 0.05em;
    border: 1px solid var(--pg-border);
    border-radius: 4px;
    padding: 0 5px;
    color: var(--pg-muted);
  }
  .tag.bad {
    color: var(--pg-bad);
    border-color: color-mix(in srgb, var(--pg-bad) 45%, transparent);
  }
  .tag.good {
    color: var(--pg-good);
    border-color: color-mix(in srgb, var(--pg-good) 45%, transparent);
  }
  .banner {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    border-radius: 8px;
    padding: 6px 8px 6px 12px;
    font-weight: 600;
  }
  .banner-actions {
    display: flex;
    gap: 6px;
  }
  .banner-actions button {
    height: 28px;
    font-weight: 500;
    color: var(--sw-fg, #dde3ea);
  }
  .range {
    margin-left: 4px;
    text-transform: none;
    letter-spacing: 0;
    font-variant-numeric: tabular-nums;
  }
  .banner.good {
    color: var(--pg-good);
    background: color-mix(in srgb, var(--pg-good) 12%, transparent);
    border: 1px solid color-mix(in srgb, var(--pg-good) 40%, transparent);
  }
  .banner.bad {
    color: var(--pg-bad);
    background: color-mix(in srgb, var(--pg-bad) 10%, transparent);
    border: 1px solid color-mix(in srgb, var(--pg-bad) 40%, transparent);
  }
  .error {
    margin: 0 14px 8px;
    color: var(--pg-bad);
    font-size: 13px;
  }
  .command {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 10px 12px;
    border-top: 1px solid var(--pg-border);
  }
  .command .prompt {
    color: var(--pg-accent);
    font-family: var(--pg-mono);
    font-weight: 700;
  }
  .command input {
    flex: 1;
    font-family: var(--pg-mono);
    font-size: 13px;
  }
  .side {
    padding: 12px 14px;
    gap: 12px;
  }
  .goal-text {
    margin-top: 3px;
    font-size: 15px;
    font-weight: 600;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(4, 1fr);
    gap: 8px;
  }
  .stat {
    min-width: 0;
    background: var(--sw-bg, #0f1217);
    border: 1px solid var(--pg-border);
    border-radius: 8px;
    padding: 6px 10px;
    white-space: nowrap;
  }
  .stat .v {
    font-size: 18px;
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .stat .of {
    font-size: 12px;
    color: var(--pg-muted);
    font-weight: 400;
  }
  .v.good,
  .status.won {
    color: var(--pg-good);
  }
  .status.over {
    color: var(--pg-bad);
  }
  .status.playing {
    color: var(--pg-accent);
  }
  .hint-row {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: 32px;
  }
  .hint {
    flex: none;
  }
  .adm-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 10px;
  }
  .count {
    margin-left: 4px;
    color: var(--sw-fg, #dde3ea);
    font-variant-numeric: tabular-nums;
  }
  .filter {
    width: 130px;
    height: 28px !important;
  }
  .adm-list {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    display: flex;
    flex-wrap: wrap;
    align-content: flex-start;
    gap: 6px;
  }
  .chip {
    height: auto;
    min-height: 28px;
    padding: 3px 9px;
    font-family: var(--pg-mono);
    font-size: 12.5px;
    border-radius: 14px;
    background: var(--sw-bg, #0f1217);
    text-align: left;
    overflow-wrap: anywhere;
  }
  .chip.suggested {
    border-color: var(--pg-good);
    color: var(--pg-good);
    box-shadow: 0 0 0 1px color-mix(in srgb, var(--pg-good) 40%, transparent);
  }
  .side-foot {
    flex: none;
    padding-top: 8px;
    border-top: 1px solid var(--pg-border);
    font-family: var(--pg-mono);
    font-size: 11px;
    color: var(--pg-muted);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .credit-card {
    display: grid;
    gap: 6px;
    padding-top: 10px;
    border-top: 1px solid var(--pg-border);
  }
  .credit-head {
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .credit-head select {
    flex: 1;
    min-width: 0;
  }
  .credit-figures {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    font-variant-numeric: tabular-nums;
  }
  .credit-figures b {
    font-family: var(--pg-mono);
  }
  .credit-actions {
    display: flex;
    gap: 6px;
    flex-wrap: wrap;
  }
  .small-button,
  .file-button {
    display: inline-flex;
    align-items: center;
    padding: 4px 10px;
    border-radius: 6px;
    border: 1px solid var(--pg-border);
    background: var(--sw-panel-2, #1b212b);
    font-size: 12.5px;
    cursor: pointer;
    position: relative;
  }
  .file-button:focus-within {
    outline: 2px solid var(--pg-accent);
    outline-offset: 2px;
  }
  .file-button input {
    position: absolute;
    width: 1px;
    height: 1px;
    opacity: 0;
    overflow: hidden;
  }
  .credit-line {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    align-items: center;
    font-family: var(--pg-mono);
    font-size: 12px;
    margin: 2px 0 4px 30px;
  }
  .credit-line .c.pos {
    color: var(--pg-good);
  }
  .credit-line .c.neg {
    color: var(--pg-bad);
  }
  .marks {
    display: inline-flex;
    gap: 4px;
  }
  .mark {
    font-size: 11.5px;
    padding: 1px 8px;
    border-radius: 99px;
    border: 1px solid var(--pg-border);
    background: transparent;
    cursor: pointer;
  }
  .mark[aria-pressed='true'] {
    border-color: var(--pg-accent);
    background: var(--sw-accent-weak, rgba(122, 162, 255, 0.14));
  }
`;
