// The action grammar SPA's VirtualHome environment accepts (`str2program_list` in
// eval_agent/envs/virtualhome_env.py), reproduced rule for rule:
//
//  1. lower-case and trim the line; if it contains ':', keep what follows the first ':';
//  2. try every template of VirtualHome's action enum ("walk to {}", "put {} on {}", ...). A
//     template counts when it matches the whole line and yields as many arguments as the action
//     takes. Exactly one template must count; arguments get spaces replaced by underscores;
//  3. otherwise fall back to splitting on single spaces: one word is `[WORD]`, two words
//     `[WORD] <a>`, three words `[WORD] <a> <b>`, more words `[WORD] <a_b_c...>`. The result is
//     kept only when WORD (upper-cased) names an action and the argument count fits.
//
// The fallback is why "release cup" works although the "release" template takes no argument,
// and why "switchon tv" is a valid command. Nothing here throws.

export const VERB_NAMES = [
  'CLOSE', 'DRINK', 'FIND', 'WALK', 'GRAB', 'LOOKAT', 'OPEN', 'POINTAT', 'PUTBACK', 'PUTIN',
  'PUTOBJBACK', 'RUN', 'SIT', 'STANDUP', 'SWITCHOFF', 'SWITCHON', 'TOUCH', 'TURNTO', 'WATCH', 'WIPE',
  'PUTON', 'PUTOFF', 'GREET', 'DROP', 'READ', 'LIE', 'POUR', 'TYPE', 'PUSH', 'PULL', 'MOVE', 'WASH',
  'RINSE', 'SCRUB', 'SQUEEZE', 'PLUGIN', 'PLUGOUT', 'CUT', 'EAT', 'SLEEP', 'WAKEUP', 'RELEASE',
] as const;
export type VerbName = (typeof VERB_NAMES)[number];

export const V = Object.fromEntries(VERB_NAMES.map((n, i) => [n, i])) as { [K in VerbName]: number };

/** Arguments each action takes, and the natural-language template SPA matches it with. */
const SPEC: Record<VerbName, [number, string]> = {
  CLOSE: [1, 'close {}'],
  DRINK: [1, 'drink {}'],
  FIND: [1, 'find {}'],
  WALK: [1, 'walk to {}'],
  GRAB: [1, 'grab {}'],
  LOOKAT: [1, 'look at {}'],
  OPEN: [1, 'open {}'],
  POINTAT: [1, 'point at {}'],
  PUTBACK: [2, 'put {} on {}'],
  PUTIN: [2, 'put {} in {}'],
  PUTOBJBACK: [1, 'put back {}'],
  RUN: [1, 'run to {}'],
  SIT: [1, 'sit on {}'],
  STANDUP: [0, 'stand up'],
  SWITCHOFF: [1, 'switch off {}'],
  SWITCHON: [1, 'switch on {}'],
  TOUCH: [1, 'touch {}'],
  TURNTO: [1, 'turn to {}'],
  WATCH: [1, 'watch {}'],
  WIPE: [1, 'wipe {}'],
  PUTON: [1, 'put on {}'],
  PUTOFF: [1, 'take off {}'],
  GREET: [1, 'greet {}'],
  DROP: [1, 'drop {}'],
  READ: [1, 'read {}'],
  LIE: [1, 'lie on {}'],
  POUR: [2, 'pour {} into {}'],
  TYPE: [1, 'type on {}'],
  PUSH: [1, 'push {}'],
  PULL: [1, 'pull {}'],
  MOVE: [1, 'move {}'],
  WASH: [1, 'wash {}'],
  RINSE: [1, 'rinse {}'],
  SCRUB: [1, 'scrub {}'],
  SQUEEZE: [1, 'squeeze {}'],
  PLUGIN: [1, 'plug in {}'],
  PLUGOUT: [1, 'plug out {}'],
  CUT: [1, 'cut {}'],
  EAT: [1, 'eat {}'],
  SLEEP: [0, 'sleep'],
  WAKEUP: [0, 'wake up'],
  // SPA's table gives "release" no placeholder but one argument, so the template never counts
  // and only the fallback form "release X" reaches the executor.
  RELEASE: [1, 'release'],
};

export const VERB_ARITY: readonly number[] = VERB_NAMES.map((n) => SPEC[n][0]);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Template {
  verb: number;
  arity: number;
  fields: number;
  re: RegExp;
}

const TEMPLATES: Template[] = VERB_NAMES.map((name, verb) => {
  const [arity, t] = SPEC[name];
  const parts = t.split('{}');
  // Python `parse`: each {} is a lazy `.+?`, the match spans the whole string, DOTALL.
  const re = new RegExp('^' + parts.map(escapeRe).join('(.+?)') + '$', 's');
  return { verb, arity, fields: parts.length - 1, re };
});

const VERB_BY_NAME = new Map<string, number>(VERB_NAMES.map((n, i) => [n, i]));

export interface ParsedAction {
  verb: number;
  /** Class names as SPA would look them up (spaces already turned into underscores). */
  args: string[];
}

/** Parse one action line; null when SPA would not produce an executable program line. */
export function parseAction(text: string): ParsedAction | null {
  let line = text.toLowerCase().trim();
  if (line.length === 0) return null;
  const colon = line.indexOf(':');
  if (colon >= 0) line = line.slice(colon + 1).trim();
  let found: ParsedAction | null = null;
  let count = 0;
  for (const t of TEMPLATES) {
    if (t.fields !== t.arity) continue;
    const m = t.re.exec(line);
    if (m === null) continue;
    count++;
    found = { verb: t.verb, args: m.slice(1).map((a) => a.replace(/ /g, '_')) };
  }
  if (count === 1) return found;
  if (line.length === 0) return null;
  const words = line.split(' ');
  const verb = VERB_BY_NAME.get(words[0].toUpperCase());
  if (verb === undefined) return null;
  let args: string[];
  if (words.length === 1) args = [];
  else if (words.length === 2) args = [words[1]];
  else if (words.length === 3) args = [words[1], words[2]];
  else args = [words.slice(1).join('_')];
  if (args.length !== VERB_ARITY[verb]) return null;
  return { verb, args };
}

/** The canonical natural-language form of an action on class words ("put cup on table"). */
export function formatAction(verb: number, a?: string, b?: string): string {
  const name = VERB_NAMES[verb];
  if (name === 'RELEASE') return `release ${a}`;
  const t = SPEC[name][1];
  if (SPEC[name][0] === 0) return t;
  if (SPEC[name][0] === 1) return t.replace('{}', a ?? '');
  return t.replace('{}', a ?? '').replace('{}', b ?? '');
}
