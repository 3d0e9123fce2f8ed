// The screens the shell offers, in tab order. Each screen is a Lit element in its own folder,
// loaded on first visit. Add an entry here to add a screen.

export interface ScreenEntry {
  /** URL-safe id, used in the address (e.g. #/playground). */
  id: string;
  /** Tab label. */
  label: string;
  /** One line shown under the label or as a tooltip. */
  blurb: string;
  /** Loads the module that defines the element. */
  load: () => Promise<unknown>;
  /** The custom element's tag name. */
  tag: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  {
    id: 'playground',
    label: 'Playground',
    blurb: 'Play the text environments by hand: every admissible action is a button, and the expert can hint.',
    load: () => import('./playground/playground-screen'),
    tag: 'sw-playground',
  },
];
