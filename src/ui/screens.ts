// The lab's screens, in navigation order. The shell shows a tab for each entry here and nothing
// else, so a screen appears in the lab only once it works. Each screen is a Lit element loaded on
// first visit.

export interface ScreenEntry {
  /** Route id: the URL is #/<id>?<state>. */
  id: string;
  label: string;
  /** One line shown as the tab's tooltip. */
  blurb: string;
  /** The custom element's tag; `load` must define it. */
  tag: string;
  load: () => Promise<unknown>;
  /** The screen cannot work without WebGPU; others stay usable when the browser has none. */
  needsGpu?: boolean;
}

export const screens: ScreenEntry[] = [
  {
    id: 'playground',
    label: 'Playground',
    blurb: 'Play the text environments by hand: every admissible action is a button, and the expert can hint.',
    tag: 'sw-playground',
    load: () => import('./playground/playground-screen'),
  },
];
