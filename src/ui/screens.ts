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
  {
    id: 'train',
    label: 'Train',
    blurb: 'Configure a run (env, model, method, hyper-parameters), start it in the trainer worker, and watch its curves live.',
    tag: 'sw-train',
    load: () => import('./train/train-screen'),
    needsGpu: true,
  },
  {
    id: 'trajectories',
    label: 'Trajectories',
    blurb: 'Step through every trajectory with its credit: ĉ_t, Σĉ against the reward, r_t, advantage, ratio and clipping.',
    tag: 'sw-trajectories',
    load: () => import('./trajectories/trajectories-screen'),
  },
  {
    id: 'compare',
    label: 'Compare',
    blurb: 'Runs side by side: overlaid curves and the paper-style results table, exportable as CSV and PNG.',
    tag: 'sw-compare',
    load: () => import('./compare/compare-screen'),
  },
  {
    id: 'tour',
    label: 'Tour',
    blurb: 'A two-minute guided demo: train an SPA and an outcome-only agent, then see one attempt credited sparse vs stepwise.',
    tag: 'sw-tour',
    load: () => import('./tour/tour-screen'),
    needsGpu: true,
  },
];
