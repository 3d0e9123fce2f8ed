// Procedural scenes and tasks. A task id names a pool and a seed ("train:17"); the pool decides
// which layouts and which object types may be drawn. The task fixes the room, its receptacles, the
// objects in it and the goal; the episode seed passed to reset() decides where the movable objects
// start (like ALFRED's several trials of one task in one scene).

import {
  Appliance,
  APPLIANCE_PROP,
  DESKLAMP,
  FLOORLAMP,
  GOAL_TEMPLATES,
  HELD_OUT_MASK,
  OBJECT_PLACE_MASK,
  OBJECT_TYPES,
  PICKUPABLE,
  RECEPTACLE_TYPES,
  ROOM_NAMES,
  ROOM_RECIPES,
  RoomKind,
  TASK_APPLIANCE,
  TASK_KIND_NAMES,
  TASK_KIND_WEIGHTS,
  TASK_ROOMS,
  TaskKind,
  rt,
} from './catalog';
import { GO_TO_RANK, N_OBJ_IDS, N_REC_IDS, OBJ_NAME, REC_NAME, objGid, recGid } from './names';
import { Mulberry32, type SeededRng } from '../../core/random';

export type Pool = 'train' | 'seen' | 'unseen';
export const POOLS: readonly Pool[] = ['train', 'seen', 'unseen'];

/** Layouts per room type in each pool: 30 for training, as AI2-THOR has 30 floor plans per room type. */
export const LAYOUTS_PER_ROOM: Record<Pool, number> = { train: 30, seen: 8, unseen: 8 };

/** Bumped whenever any generated scene, goal or placement would change. */
export const GENERATOR_VERSION = 1;

export interface Layout {
  id: string;
  room: RoomKind;
  /** Receptacle instances, ordered by type id then instance number. */
  recTypes: number[];
  recNums: number[];
  /** Lamps fixed by the layout: a desklamp stands in a receptacle, a floorlamp next to one. */
  lamps: { type: number; rec: number }[];
  /** Identical for layouts with the same receptacles and lamps (used to keep splits disjoint). */
  signature: string;
}

let layouts: Map<string, Layout> | null = null;

/**
 * All layouts of all pools, built together: a layout whose receptacles and lamps repeat one
 * already drawn (in this pool or an earlier one) is redrawn, so test layouts are never training
 * layouts.
 */
function allLayouts(): Map<string, Layout> {
  if (layouts) return layouts;
  const byId = new Map<string, Layout>();
  const taken = new Set<string>();
  for (const pool of POOLS) {
    for (let room = 0 as RoomKind; room < ROOM_NAMES.length; room = (room + 1) as RoomKind) {
      for (let k = 0; k < LAYOUTS_PER_ROOM[pool]; k++) {
        const id = `${pool}/${ROOM_NAMES[room]}/${k}`;
        for (let attempt = 0; ; attempt++) {
          if (attempt > 1000) throw new Error(`household: no fresh layout for ${id}`);
          const layout = drawLayout(id, room, attempt);
          if (taken.has(layout.signature)) continue;
          taken.add(layout.signature);
          byId.set(id, layout);
          break;
        }
      }
    }
  }
  layouts = byId;
  return byId;
}

export function layoutFor(pool: Pool, room: RoomKind, k: number): Layout {
  const layout = allLayouts().get(`${pool}/${ROOM_NAMES[room]}/${k}`);
  if (!layout) throw new Error(`household: no layout ${pool}/${room}/${k}`);
  return layout;
}

function drawLayout(id: string, room: RoomKind, attempt: number): Layout {
  const rng = Mulberry32.of(`household/v${GENERATOR_VERSION}/layout/${id}/${attempt}`);
  const counts = new Array<number>(RECEPTACLE_TYPES.length).fill(0);
  for (const [name, min, max, p] of ROOM_RECIPES[room]) {
    const present = rng.next() < p;
    const n = rng.int(min, max);
    if (present) counts[rt(name)] = n;
  }
  const recTypes: number[] = [];
  const recNums: number[] = [];
  for (let t = 0; t < counts.length; t++) {
    for (let n = 1; n <= counts[t]; n++) {
      recTypes.push(t);
      recNums.push(n);
    }
  }
  const lamps: { type: number; rec: number }[] = [];
  if (room === RoomKind.Bedroom || room === RoomKind.LivingRoom) {
    const hostsOf = (lampType: number): number[] => {
      const mask = OBJECT_PLACE_MASK[lampType];
      const out: number[] = [];
      for (let r = 0; r < recTypes.length; r++) if (mask & (1 << recTypes[r])) out.push(r);
      return out;
    };
    const deskHosts = hostsOf(DESKLAMP);
    const floorHosts = hostsOf(FLOORLAMP);
    const wantDesk = rng.next() < 0.7;
    const wantFloor = rng.next() < 0.5;
    const deskHost = deskHosts.length ? rng.pick(deskHosts) : -1;
    const floorHost = floorHosts.length ? rng.pick(floorHosts) : -1;
    if (wantDesk && deskHost >= 0) lamps.push({ type: DESKLAMP, rec: deskHost });
    if ((wantFloor || lamps.length === 0) && floorHost >= 0) lamps.push({ type: FLOORLAMP, rec: floorHost });
    if (lamps.length === 0) throw new Error(`layout ${id} has nowhere to put a lamp`);
  }
  const signature =
    ROOM_NAMES[room] +
    ':' +
    counts.join(',') +
    ':' +
    lamps.map((l) => `${l.type}@${RECEPTACLE_TYPES[recTypes[l.rec]].name}${recNums[l.rec]}`).join(',');
  return { id, room, recTypes, recNums, lamps, signature };
}

export interface Goal {
  kind: TaskKind;
  /** Object type to act on. */
  objType: number;
  /** Receptacle type it must end up in (-1 for look_at_obj_in_light). */
  destType: number;
  /** Lamp type for look_at_obj_in_light (-1 otherwise). */
  lampType: number;
  /** "put a clean mug in coffeemachine." (without "Your task is to: "). */
  text: string;
}

/** Everything fixed by a task id: the scene (minus where things start) and the goal. Immutable. */
export interface TaskDef {
  id: string;
  pool: Pool;
  seed: number;
  layout: Layout;
  goal: Goal;
  nRec: number;
  recType: Uint8Array;
  recOpenable: Uint8Array;
  recAppliance: Uint8Array;
  /** Global name ids (names.ts) of the receptacles, and each one's name. */
  recGid: Int16Array;
  recName: string[];
  /** Local receptacle index by global id, -1 when the room has no such receptacle. */
  recLocal: Int16Array;
  /** Receptacle indices ordered as their "go to" commands sort. */
  recSorted: Int16Array;
  nObj: number;
  objType: Uint8Array;
  objProps: Uint8Array;
  objGid: Int16Array;
  objName: string[];
  /** Local object index by global id, -1 when the room has no such object. */
  objLocal: Int16Array;
  /** For lamps: the receptacle they stand in or next to; -1 for movable objects. */
  lampRec: Int16Array;
  /** 1 when a lamp stands next to its receptacle (a floorlamp) rather than in it. */
  lampNextTo: Uint8Array;
  /** "You are in the middle of a room. Looking quickly around you, you see …." */
  middleLook: string;
  /** The first observation: middleLook, a blank line, then "Your task is to: …". */
  intro: string;
  /** Human label for pickers. */
  label: string;
}

export function parseTaskId(taskId: string): { pool: Pool; seed: number } {
  const colon = taskId.indexOf(':');
  const pool = taskId.slice(0, colon) as Pool;
  const seedText = taskId.slice(colon + 1);
  const seed = Number(seedText);
  if (colon < 0 || !POOLS.includes(pool) || !/^\d+$/.test(seedText) || !Number.isSafeInteger(seed)) {
    throw new Error(`household: bad task id ${JSON.stringify(taskId)}; expected "<train|seen|unseen>:<seed>"`);
  }
  return { pool, seed };
}

const taskCache = new Map<string, TaskDef>();
const TASK_CACHE_MAX = 512;

export function taskFor(taskId: string): TaskDef {
  const hit = taskCache.get(taskId);
  if (hit) return hit;
  const { pool, seed } = parseTaskId(taskId);
  const def = buildTask(pool, seed);
  if (taskCache.size >= TASK_CACHE_MAX) {
    // Oldest first: Map iteration follows insertion order.
    const first = taskCache.keys().next();
    if (!first.done) taskCache.delete(first.value);
  }
  taskCache.set(taskId, def);
  return def;
}

function applianceTypesFor(a: Appliance): number[] {
  const out: number[] = [];
  RECEPTACLE_TYPES.forEach((t, i) => {
    if (a !== Appliance.None && t.appliance === a) out.push(i);
  });
  return out;
}

function objectAllowedInPool(type: number, pool: Pool): boolean {
  return pool === 'unseen' || !HELD_OUT_MASK[type];
}

interface Draft {
  kind: TaskKind;
  layout: Layout;
  objType: number;
  destType: number;
  lampType: number;
}

function draftGoal(pool: Pool, rng: SeededRng): Draft {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const kind = rng.weighted(TASK_KIND_WEIGHTS) as TaskKind;
    const room = rng.pick(TASK_ROOMS[kind]);
    const layout = layoutFor(pool, room, rng.int(0, LAYOUTS_PER_ROOM[pool] - 1));
    let layoutMask = 0;
    for (const t of layout.recTypes) layoutMask |= 1 << t;
    const appliance = TASK_APPLIANCE[kind];
    const needProp = APPLIANCE_PROP[appliance];
    // A modifier task needs its appliance in the room.
    const applianceMask = applianceTypesFor(appliance).reduce((m, t) => m | (1 << t), 0);
    if (appliance !== Appliance.None && (layoutMask & applianceMask) === 0) continue;
    const candidates: number[] = [];
    for (let o = 0; o < OBJECT_TYPES.length; o++) {
      const ty = OBJECT_TYPES[o];
      if (!(ty.props & PICKUPABLE) || !(ty.rooms & (1 << room))) continue;
      if (!objectAllowedInPool(o, pool)) continue;
      // The unseen split's goals are about held-out object types only.
      if (pool === 'unseen' && !HELD_OUT_MASK[o]) continue;
      if (needProp && !(ty.props & needProp)) continue;
      if ((OBJECT_PLACE_MASK[o] & layoutMask) === 0) continue;
      candidates.push(o);
    }
    if (candidates.length === 0) continue;
    const objType = rng.pick(candidates);
    if (kind === TaskKind.LookAtObjInLight) {
      const lampType = rng.pick(layout.lamps).type;
      return { kind, layout, objType, destType: -1, lampType };
    }
    // A cleaned, heated or cooled object is not thrown away.
    const excluded = applianceMask | (appliance !== Appliance.None ? 1 << rt('garbagecan') : 0);
    const places = OBJECT_PLACE_MASK[objType] & layoutMask & ~excluded;
    const dests: number[] = [];
    for (let t = 0; t < RECEPTACLE_TYPES.length; t++) {
      if (!(places & (1 << t))) continue;
      // The object must be able to start somewhere other than the destination.
      if ((OBJECT_PLACE_MASK[objType] & layoutMask & ~(1 << t)) === 0) continue;
      dests.push(t);
    }
    if (dests.length === 0) continue;
    return { kind, layout, objType, destType: rng.pick(dests), lampType: -1 };
  }
  throw new Error(`household: could not draw a goal for pool ${pool}`);
}

function listWithArticles(names: string[]): string {
  if (names.length === 0) return 'nothing';
  if (names.length === 1) return 'a ' + names[0];
  let s = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) s += i === names.length - 1 ? ', and ' : ', ';
    s += 'a ' + names[i];
  }
  return s;
}
export { listWithArticles };

function buildTask(pool: Pool, seed: number): TaskDef {
  const id = `${pool}:${seed}`;
  const rng = Mulberry32.of(`household/v${GENERATOR_VERSION}/task/${id}`);
  const draft = draftGoal(pool, rng);
  const { layout, kind, objType: goalType } = draft;
  const room = layout.room;

  let layoutMask = 0;
  for (const t of layout.recTypes) layoutMask |= 1 << t;

  // Which object types are in the room, and how many of each.
  const counts = new Array<number>(OBJECT_TYPES.length).fill(0);
  for (let o = 0; o < OBJECT_TYPES.length; o++) {
    const ty = OBJECT_TYPES[o];
    if (!(ty.props & PICKUPABLE) || !(ty.rooms & (1 << room))) continue;
    if (!objectAllowedInPool(o, pool)) continue;
    if ((OBJECT_PLACE_MASK[o] & layoutMask) === 0) continue;
    const include = rng.next() < 0.5;
    const n = 1 + rng.weighted([55, 30, 15]);
    if (include) counts[o] = n;
  }
  const twoNeeded = kind === TaskKind.PickTwoObjAndPlace;
  counts[goalType] = Math.max(counts[goalType], twoNeeded ? rng.int(2, 3) : 1);
  for (const lamp of layout.lamps) counts[lamp.type] += 1;

  // Objects ordered by type id then instance number, so id order is name order.
  const objTypes: number[] = [];
  const objNums: number[] = [];
  for (let o = 0; o < counts.length; o++) {
    for (let n = 1; n <= counts[o]; n++) {
      objTypes.push(o);
      objNums.push(n);
    }
  }
  const nObj = objTypes.length;
  const nRec = layout.recTypes.length;

  // Plain loops over small typed arrays: this runs for every new task, and names are global.
  const recType = new Uint8Array(nRec);
  const recOpenable = new Uint8Array(nRec);
  const recAppliance = new Uint8Array(nRec);
  const recGidArr = new Int16Array(nRec);
  const recName: string[] = new Array(nRec);
  const recLocal = new Int16Array(N_REC_IDS).fill(-1);
  for (let r = 0; r < nRec; r++) {
    const ty = RECEPTACLE_TYPES[layout.recTypes[r]];
    const g = recGid(layout.recTypes[r], layout.recNums[r]);
    recType[r] = layout.recTypes[r];
    recOpenable[r] = ty.openable ? 1 : 0;
    recAppliance[r] = ty.appliance;
    recGidArr[r] = g;
    recName[r] = REC_NAME[g];
    recLocal[g] = r;
  }
  const recSorted = new Int16Array(nRec);
  for (let r = 0; r < nRec; r++) recSorted[r] = r;
  recSorted.sort((a, b) => GO_TO_RANK[recGidArr[a]] - GO_TO_RANK[recGidArr[b]]);

  const objType = new Uint8Array(nObj);
  const objProps = new Uint8Array(nObj);
  const objGidArr = new Int16Array(nObj);
  const objName: string[] = new Array(nObj);
  const objLocal = new Int16Array(N_OBJ_IDS).fill(-1);
  for (let o = 0; o < nObj; o++) {
    const g = objGid(objTypes[o], objNums[o]);
    objType[o] = objTypes[o];
    objProps[o] = OBJECT_TYPES[objTypes[o]].props;
    objGidArr[o] = g;
    objName[o] = OBJ_NAME[g];
    objLocal[g] = o;
  }

  const lampRec = new Int16Array(nObj).fill(-1);
  const lampNextTo = new Uint8Array(nObj);
  const lampSeen = new Map<number, number>();
  for (const lamp of layout.lamps) {
    const k = (lampSeen.get(lamp.type) ?? 0) + 1;
    lampSeen.set(lamp.type, k);
    const o = objLocal[objGid(lamp.type, k)];
    if (o < 0) throw new Error('lamp bookkeeping');
    lampRec[o] = lamp.rec;
    lampNextTo[o] = lamp.type === FLOORLAMP ? 1 : 0;
  }

  const templates = GOAL_TEMPLATES[kind];
  const template = rng.pick(templates);
  const goalText = template
    .replace('{o}', OBJECT_TYPES[goalType].name)
    .replace('{r}', draft.destType >= 0 ? RECEPTACLE_TYPES[draft.destType].name : '')
    .replace('{l}', draft.lampType >= 0 ? OBJECT_TYPES[draft.lampType].name : '');

  // The room overview lists receptacles with types in order and numbers counting down, as
  // ALFWorld's scene descriptions do ("a cabinet 3, a cabinet 2, a cabinet 1, a coffeemachine 1, …").
  const overview: string[] = [];
  let i = 0;
  while (i < nRec) {
    let j = i;
    while (j < nRec && recType[j] === recType[i]) j++;
    for (let k = j - 1; k >= i; k--) overview.push(recName[k]);
    i = j;
  }
  const middleLook = `You are in the middle of a room. Looking quickly around you, you see ${listWithArticles(overview)}.`;
  const intro = `${middleLook}\n\nYour task is to: ${goalText}`;

  return {
    id,
    pool,
    seed,
    layout,
    goal: { kind, objType: goalType, destType: draft.destType, lampType: draft.lampType, text: goalText },
    nRec,
    recType,
    recOpenable,
    recAppliance,
    recGid: recGidArr,
    recName,
    recLocal,
    recSorted,
    nObj,
    objType,
    objProps,
    objGid: objGidArr,
    objName,
    objLocal,
    lampRec,
    lampNextTo,
    middleLook,
    intro,
    label: `${TASK_KIND_NAMES[kind]} · ${ROOM_NAMES[room]} · ${goalText}`,
  };
}

/**
 * Receptacles where object o may start, in index order, written into `out`; returns the count.
 * Goal objects never start in a receptacle of the goal's destination type.
 */
function startRecs(def: TaskDef, o: number, out: Int16Array): number {
  const mask = OBJECT_PLACE_MASK[def.objType[o]];
  const avoid = def.objType[o] === def.goal.objType ? def.goal.destType : -1;
  let n = 0;
  for (let r = 0; r < def.nRec; r++) {
    const t = def.recType[r];
    if (mask & (1 << t) && t !== avoid) out[n++] = r;
  }
  return n;
}

/** Where each movable object starts in episode `episodeSeed` of a task (lamps keep their place). */
export function placeObjects(def: TaskDef, episodeSeed: number): Int16Array {
  const rng = Mulberry32.of(`household/v${GENERATOR_VERSION}/place/${def.id}/${episodeSeed >>> 0}`);
  const loc = new Int16Array(def.nObj);
  const buf = new Int16Array(def.nRec);
  for (let o = 0; o < def.nObj; o++) {
    if (def.lampRec[o] >= 0) {
      loc[o] = def.lampRec[o];
      continue;
    }
    const n = startRecs(def, o, buf);
    if (n === 0) throw new Error(`household ${def.id}: ${def.objName[o]} has nowhere to start`);
    loc[o] = buf[Math.floor(rng.next() * n)];
  }
  return loc;
}
