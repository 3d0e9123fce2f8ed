// Turning an action string into a command. The pinned grammar is ALFWorld's classic one
// ("put X in/on Y"); ALFWorld's Dec-2024 form "move X to Y" is accepted as an alias.
// No regular expressions on the common path: an admissible string is already normalised, so it
// is checked in one pass and then split with indexOf.

import type { TaskDef } from './generate';
import { OBJ_BY_NAME, REC_BY_NAME } from './names';

export const Cmd = {
  Invalid: 0,
  Look: 1,
  Inventory: 2,
  GoTo: 3,
  Open: 4,
  Close: 5,
  Take: 6,
  Put: 7,
  ExamineRec: 8,
  ExamineObj: 9,
  Use: 10,
  Heat: 11,
  Clean: 12,
  Cool: 13,
} as const;
export type Cmd = (typeof Cmd)[keyof typeof Cmd];

/** Parsed command. `a` is the object or receptacle id, `b` the receptacle for two-argument verbs. */
export interface Parsed {
  cmd: Cmd;
  a: number;
  b: number;
}

/**
 * Lower-case, trim and collapse runs of whitespace. Strings that are already in that form (every
 * admissible command) are returned as is after a single scan.
 */
export function normalise(action: string): string {
  const n = action.length;
  let clean = n > 0;
  let prevSpace = true;
  for (let i = 0; i < n; i++) {
    const c = action.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) {
        clean = false;
        break;
      }
      prevSpace = true;
    } else if ((c >= 65 && c <= 90) || c < 32 || c > 126) {
      clean = false;
      break;
    } else {
      prevSpace = false;
    }
  }
  if (clean && !prevSpace) return action;
  return action.toLowerCase().split(/\s+/).filter((w) => w.length > 0).join(' ');
}

/** This task's receptacle called `name`, or -1. */
function recIn(def: TaskDef, name: string): number {
  const g = REC_BY_NAME.get(name);
  return g === undefined ? -1 : def.recLocal[g];
}

/** This task's object called `name`, or -1. */
function objIn(def: TaskDef, name: string): number {
  const g = OBJ_BY_NAME.get(name);
  return g === undefined ? -1 : def.objLocal[g];
}

function two(def: TaskDef, s: string, start: number, sep: string): [number, number] | null {
  const at = s.indexOf(sep, start);
  if (at < 0) return null;
  const o = objIn(def, s.slice(start, at));
  const r = recIn(def, s.slice(at + sep.length));
  if (o < 0 || r < 0) return null;
  return [o, r];
}

const INVALID: Parsed = { cmd: Cmd.Invalid, a: -1, b: -1 };

/** Parse a normalised action. Unknown verbs and names give Cmd.Invalid. */
export function parse(def: TaskDef, s: string): Parsed {
  switch (s.charCodeAt(0)) {
    case 108: // l
      return s === 'look' ? { cmd: Cmd.Look, a: -1, b: -1 } : INVALID;
    case 105: // i
      return s === 'inventory' ? { cmd: Cmd.Inventory, a: -1, b: -1 } : INVALID;
    case 103: // g
      if (s.startsWith('go to ')) {
        const r = recIn(def, s.slice(6));
        if (r >= 0) return { cmd: Cmd.GoTo, a: r, b: -1 };
      }
      return INVALID;
    case 111: // o
      if (s.startsWith('open ')) {
        const r = recIn(def, s.slice(5));
        if (r >= 0) return { cmd: Cmd.Open, a: r, b: -1 };
      }
      return INVALID;
    case 99: // c
      if (s.startsWith('close ')) {
        const r = recIn(def, s.slice(6));
        if (r >= 0) return { cmd: Cmd.Close, a: r, b: -1 };
      } else if (s.startsWith('clean ')) {
        const p = two(def, s, 6, ' with ');
        if (p) return { cmd: Cmd.Clean, a: p[0], b: p[1] };
      } else if (s.startsWith('cool ')) {
        const p = two(def, s, 5, ' with ');
        if (p) return { cmd: Cmd.Cool, a: p[0], b: p[1] };
      }
      return INVALID;
    case 104: // h
      if (s.startsWith('heat ')) {
        const p = two(def, s, 5, ' with ');
        if (p) return { cmd: Cmd.Heat, a: p[0], b: p[1] };
      }
      return INVALID;
    case 116: // t
      if (s.startsWith('take ')) {
        const p = two(def, s, 5, ' from ');
        if (p) return { cmd: Cmd.Take, a: p[0], b: p[1] };
      }
      return INVALID;
    case 112: // p
      if (s.startsWith('put ')) {
        const p = two(def, s, 4, ' in/on ');
        if (p) return { cmd: Cmd.Put, a: p[0], b: p[1] };
      }
      return INVALID;
    case 109: // m
      if (s.startsWith('move ')) {
        const p = two(def, s, 5, ' to ');
        if (p) return { cmd: Cmd.Put, a: p[0], b: p[1] };
      }
      return INVALID;
    case 101: // e
      if (s.startsWith('examine ')) {
        const name = s.slice(8);
        const r = recIn(def, name);
        if (r >= 0) return { cmd: Cmd.ExamineRec, a: r, b: -1 };
        const o = objIn(def, name);
        if (o >= 0) return { cmd: Cmd.ExamineObj, a: o, b: -1 };
      }
      return INVALID;
    case 117: // u
      if (s.startsWith('use ')) {
        const o = objIn(def, s.slice(4));
        if (o >= 0) return { cmd: Cmd.Use, a: o, b: -1 };
      }
      return INVALID;
    default:
      return INVALID;
  }
}
