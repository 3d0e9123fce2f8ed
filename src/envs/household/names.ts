// Every name and command string the household can print, made once per worker and shared by
// all tasks. A receptacle instance ("cabinet 3") has a global id type * REC_NUMS + (n - 1), an
// object instance ("mug 2") type * OBJ_NUMS + (n - 1). Tasks keep small arrays of global ids, so
// a new task allocates almost nothing and an old one leaves little for the collector.

import { OBJECT_TYPES, RECEPTACLE_TYPES } from './catalog';

/** Most instances of one receptacle type in a room (cabinets go up to 12). */
export const REC_NUMS = 16;
/** Most instances of one object type (goal objects up to 3). */
export const OBJ_NUMS = 8;

export const N_REC_IDS = RECEPTACLE_TYPES.length * REC_NUMS;
export const N_OBJ_IDS = OBJECT_TYPES.length * OBJ_NUMS;

export function recGid(type: number, n: number): number {
  if (n < 1 || n > REC_NUMS) throw new Error(`household: receptacle number ${n} out of range`);
  return type * REC_NUMS + n - 1;
}
export function objGid(type: number, n: number): number {
  if (n < 1 || n > OBJ_NUMS) throw new Error(`household: object number ${n} out of range`);
  return type * OBJ_NUMS + n - 1;
}

function table(n: number, make: (i: number) => string): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = make(i);
  return out;
}

export const REC_NAME = table(N_REC_IDS, (g) => `${RECEPTACLE_TYPES[Math.floor(g / REC_NUMS)].name} ${(g % REC_NUMS) + 1}`);
export const OBJ_NAME = table(N_OBJ_IDS, (g) => `${OBJECT_TYPES[Math.floor(g / OBJ_NUMS)].name} ${(g % OBJ_NUMS) + 1}`);

export const REC_BY_NAME: ReadonlyMap<string, number> = new Map(REC_NAME.map((n, g) => [n, g]));
export const OBJ_BY_NAME: ReadonlyMap<string, number> = new Map(OBJ_NAME.map((n, g) => [n, g]));

export const GO_TO = REC_NAME.map((n) => 'go to ' + n);
export const OPEN = REC_NAME.map((n) => 'open ' + n);
export const CLOSE = REC_NAME.map((n) => 'close ' + n);
export const EXAMINE_REC = REC_NAME.map((n) => 'examine ' + n);
export const EXAMINE_OBJ = OBJ_NAME.map((n) => 'examine ' + n);
export const USE = OBJ_NAME.map((n) => 'use ' + n);
/** "a apple 1": ALFWorld writes "a" before every name. */
export const WITH_ARTICLE = OBJ_NAME.map((n) => 'a ' + n);

/** Position of each "go to X" in code-unit order, so a task sorts its list with integer compares. */
export const GO_TO_RANK: Int32Array = (() => {
  const order = GO_TO.map((s, g) => [s, g] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const rank = new Int32Array(N_REC_IDS);
  order.forEach(([, g], i) => (rank[g] = i));
  return rank;
})();

// Two-argument commands, keyed by objGid * N_REC_IDS + recGid and made on first use: only a
// small share of the pairs ever occurs.
const TAKE = new Map<number, string>();
const PUT = new Map<number, string>();
const HEAT = new Map<number, string>();
const CLEAN = new Map<number, string>();
const COOL = new Map<number, string>();

function pair(cache: Map<number, string>, o: number, r: number, verb: string, sep: string): string {
  const key = o * N_REC_IDS + r;
  let s = cache.get(key);
  if (s === undefined) {
    s = verb + OBJ_NAME[o] + sep + REC_NAME[r];
    cache.set(key, s);
  }
  return s;
}

export const takeCmd = (o: number, r: number): string => pair(TAKE, o, r, 'take ', ' from ');
export const putCmd = (o: number, r: number): string => pair(PUT, o, r, 'put ', ' in/on ');
export const heatCmd = (o: number, r: number): string => pair(HEAT, o, r, 'heat ', ' with ');
export const cleanCmd = (o: number, r: number): string => pair(CLEAN, o, r, 'clean ', ' with ');
export const coolCmd = (o: number, r: number): string => pair(COOL, o, r, 'cool ', ' with ');
