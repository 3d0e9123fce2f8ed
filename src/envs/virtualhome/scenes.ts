// Procedural apartments in the shape of VirtualHome's scene graphs. A *family* fixes the rooms and
// the furniture (VirtualHome ships seven apartments; we have seven families, apt0..apt6); a
// *variant* of a family draws the small objects, where they lie, and the variable states (lights,
// windows, dirty dishes, unplugged appliances) plus the character's starting room.
//
// Like Unity-derived VirtualHome graphs, every node is INSIDE its room, objects on or in furniture
// have ON/INSIDE edges plus CLOSE edges both ways, and furniture that stands together (a kitchen
// counter and its appliances, a desk and its chair) is joined by CLOSE edges. Seats FACE what one
// looks at from them (sofa -> television, office chair -> computer).

import {
  CLASSES, CLEAN, CLOSED, DIRTY, HAS_PLUG, OFF, ON, OPEN, PLUGGED_IN, PLUGGED_OUT, R_CLOSE, R_FACING,
  R_INSIDE, R_ON, cls,
} from './catalog';
import { Mulberry32 } from '../../core/random';
import { CHAR, World, makeSceneGraph } from './world';

export const SCENE_VERSION = 1;

export type RoomType = 'kitchen' | 'living_room' | 'bedroom' | 'bathroom' | 'dining_room' | 'home_office';

interface KitItem {
  cls: string;
  /** Probability (per family) that the item is there. */
  p?: number;
  count?: [number, number];
  /** Only when this class is already in the room. */
  requires?: string;
  /** Stands ON the first instance of this class in the room. */
  on?: string;
  /** CLOSE (both ways) to every instance of these classes in the room. */
  close?: string[];
  /** FACING the first instance of this class in the room. */
  facing?: string;
}

const KITS: Record<RoomType, KitItem[]> = {
  kitchen: [
    { cls: 'kitchen_counter' },
    { cls: 'kitchen_cabinet', count: [1, 3], close: ['kitchen_counter'] },
    { cls: 'fridge' },
    { cls: 'sink', close: ['kitchen_counter'] },
    { cls: 'faucet', on: 'sink' },
    { cls: 'stove', p: 0.9, close: ['kitchen_counter'] },
    { cls: 'microwave', p: 0.85, on: 'kitchen_counter' },
    { cls: 'coffee_maker', p: 0.8, on: 'kitchen_counter' },
    { cls: 'toaster', p: 0.7, on: 'kitchen_counter' },
    { cls: 'dishwasher', p: 0.7, close: ['sink'] },
    { cls: 'kitchen_table', p: 0.6 },
    { cls: 'chair', requires: 'kitchen_table', count: [1, 2], close: ['kitchen_table'], facing: 'kitchen_table' },
    { cls: 'garbage_can', p: 0.7 },
    { cls: 'light' },
    { cls: 'window', p: 0.5 },
  ],
  living_room: [
    { cls: 'tv_stand' },
    { cls: 'television', on: 'tv_stand' },
    { cls: 'sofa', facing: 'television' },
    { cls: 'coffee_table', p: 0.9, close: ['sofa'] },
    { cls: 'floor_lamp', p: 0.6, close: ['sofa'] },
    { cls: 'bookshelf', p: 0.6 },
    { cls: 'stereo', p: 0.45, close: ['tv_stand'] },
    { cls: 'painting', p: 0.5 },
    { cls: 'window', p: 0.7 },
    { cls: 'light' },
  ],
  bedroom: [
    { cls: 'television', p: 0.25 },
    { cls: 'bed', facing: 'television' },
    { cls: 'nightstand', p: 0.9, close: ['bed'] },
    { cls: 'table_lamp', requires: 'nightstand', p: 0.75, on: 'nightstand' },
    { cls: 'closet', p: 0.9 },
    { cls: 'dresser', p: 0.5 },
    { cls: 'desk', p: 0.4 },
    { cls: 'computer', requires: 'desk', on: 'desk' },
    { cls: 'keyboard', requires: 'desk', on: 'desk' },
    { cls: 'mouse', requires: 'desk', on: 'desk' },
    { cls: 'chair', requires: 'desk', close: ['desk', 'computer', 'keyboard', 'mouse'], facing: 'computer' },
    { cls: 'light' },
    { cls: 'window', p: 0.6 },
  ],
  bathroom: [
    { cls: 'toilet' },
    { cls: 'sink' },
    { cls: 'faucet', on: 'sink' },
    { cls: 'bathtub', p: 0.75 },
    { cls: 'towel_rack', p: 0.8 },
    { cls: 'mirror', p: 0.8, close: ['sink'] },
    { cls: 'bathroom_cabinet', p: 0.7, close: ['sink'] },
    { cls: 'bathroom_counter', p: 0.7, close: ['sink'] },
    { cls: 'washing_machine', p: 0.5 },
    { cls: 'light' },
  ],
  dining_room: [
    { cls: 'table' },
    { cls: 'chair', count: [2, 4], close: ['table'], facing: 'table' },
    { cls: 'light' },
    { cls: 'window', p: 0.5 },
    { cls: 'bookshelf', p: 0.3 },
  ],
  home_office: [
    { cls: 'desk' },
    { cls: 'computer', on: 'desk' },
    { cls: 'keyboard', on: 'desk' },
    { cls: 'mouse', on: 'desk' },
    { cls: 'printer', p: 0.6, on: 'desk' },
    { cls: 'table_lamp', p: 0.5, on: 'desk' },
    { cls: 'chair', close: ['desk', 'computer', 'keyboard', 'mouse', 'printer', 'table_lamp'], facing: 'computer' },
    { cls: 'bookshelf', p: 0.6 },
    { cls: 'filing_cabinet', p: 0.5 },
    { cls: 'light' },
    { cls: 'window', p: 0.6 },
  ],
};

/** The seven apartment families. apt5 and apt6 are held out for the unseen split. */
export const FAMILIES: Record<string, RoomType[]> = {
  apt0: ['kitchen', 'living_room', 'bedroom', 'bathroom'],
  apt1: ['kitchen', 'living_room', 'bedroom', 'bathroom', 'dining_room'],
  apt2: ['kitchen', 'living_room', 'bedroom', 'bathroom', 'home_office'],
  apt3: ['kitchen', 'living_room', 'bedroom', 'bathroom', 'dining_room', 'home_office'],
  apt4: ['living_room', 'kitchen', 'bathroom', 'bedroom'],
  apt5: ['kitchen', 'dining_room', 'living_room', 'bedroom', 'bathroom', 'home_office'],
  apt6: ['bedroom', 'bathroom', 'kitchen', 'living_room', 'dining_room'],
};

type Place = [RoomType | '*', string, 'on' | 'in' | 'floor'];
interface PropRule {
  cls: string;
  p: number;
  /** Chance of a second instance (same class, elsewhere). */
  twin?: number;
  at: Place[];
}

const K: RoomType = 'kitchen';
const PROPS: PropRule[] = [
  { cls: 'plate', p: 0.95, twin: 0.35, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], [K, 'dishwasher', 'in'], [K, 'kitchen_table', 'on'], ['dining_room', 'table', 'on']] },
  { cls: 'cup', p: 0.9, twin: 0.3, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], [K, 'dishwasher', 'in'], [K, 'kitchen_table', 'on']] },
  { cls: 'mug', p: 0.7, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], ['home_office', 'desk', 'on']] },
  { cls: 'water_glass', p: 0.7, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], ['bedroom', 'nightstand', 'on']] },
  { cls: 'wine_glass', p: 0.6, at: [[K, 'kitchen_cabinet', 'in'], ['dining_room', 'table', 'on'], [K, 'kitchen_counter', 'on']] },
  { cls: 'bowl', p: 0.8, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], [K, 'kitchen_table', 'on']] },
  { cls: 'fork', p: 0.85, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on'], [K, 'kitchen_table', 'on']] },
  { cls: 'spoon', p: 0.7, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'knife', p: 0.85, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'frying_pan', p: 0.8, at: [[K, 'stove', 'on'], [K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'cooking_pot', p: 0.75, at: [[K, 'stove', 'on'], [K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'milk', p: 0.85, at: [[K, 'fridge', 'in']] },
  { cls: 'juice', p: 0.6, at: [[K, 'fridge', 'in']] },
  { cls: 'wine', p: 0.6, at: [[K, 'fridge', 'in'], [K, 'kitchen_counter', 'on'], ['dining_room', 'table', 'on']] },
  { cls: 'water_bottle', p: 0.5, at: [[K, 'fridge', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'coffee', p: 0.8, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'coffee_filter', p: 0.5, at: [[K, 'kitchen_cabinet', 'in']] },
  { cls: 'cereal', p: 0.75, at: [[K, 'kitchen_cabinet', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'bread_slice', p: 0.8, at: [[K, 'kitchen_counter', 'on'], [K, 'kitchen_cabinet', 'in'], [K, 'fridge', 'in']] },
  { cls: 'apple', p: 0.75, at: [[K, 'kitchen_counter', 'on'], [K, 'fridge', 'in'], [K, 'kitchen_table', 'on'], ['dining_room', 'table', 'on']] },
  { cls: 'banana', p: 0.6, at: [[K, 'kitchen_counter', 'on'], [K, 'kitchen_table', 'on'], ['dining_room', 'table', 'on']] },
  { cls: 'cheese', p: 0.65, at: [[K, 'fridge', 'in']] },
  { cls: 'egg', p: 0.7, at: [[K, 'fridge', 'in']] },
  { cls: 'carrot', p: 0.55, at: [[K, 'fridge', 'in'], [K, 'kitchen_counter', 'on']] },
  { cls: 'dish_soap', p: 0.7, at: [[K, 'kitchen_counter', 'on'], [K, 'kitchen_cabinet', 'in']] },
  { cls: 'sponge', p: 0.75, at: [[K, 'kitchen_counter', 'on'], [K, 'sink', 'in']] },
  { cls: 'rag', p: 0.8, at: [[K, 'kitchen_counter', 'on'], [K, 'kitchen_cabinet', 'in'], ['bathroom', 'bathroom_cabinet', 'in']] },
  { cls: 'remote_control', p: 0.9, at: [['living_room', 'coffee_table', 'on'], ['living_room', 'sofa', 'on'], ['living_room', 'tv_stand', 'on']] },
  { cls: 'book', p: 0.9, at: [['*', 'bookshelf', 'on'], ['living_room', 'coffee_table', 'on'], ['bedroom', 'nightstand', 'on'], ['*', 'desk', 'on']] },
  { cls: 'magazine', p: 0.6, at: [['living_room', 'coffee_table', 'on'], ['living_room', 'sofa', 'on'], ['*', 'bookshelf', 'on']] },
  { cls: 'newspaper', p: 0.6, at: [['living_room', 'coffee_table', 'on'], ['dining_room', 'table', 'on'], [K, 'kitchen_table', 'on']] },
  { cls: 'pillow', p: 0.8, at: [['living_room', 'sofa', 'on'], ['bedroom', 'bed', 'on']] },
  { cls: 'cellphone', p: 0.75, at: [['living_room', 'coffee_table', 'on'], ['bedroom', 'nightstand', 'on'], ['*', 'desk', 'on'], [K, 'kitchen_counter', 'on']] },
  { cls: 'video_game_controller', p: 0.5, at: [['living_room', 'tv_stand', 'on'], ['living_room', 'coffee_table', 'on']] },
  { cls: 'toy', p: 0.6, at: [['bedroom', 'floor', 'floor'], ['living_room', 'floor', 'floor'], ['bedroom', 'bed', 'on']] },
  { cls: 'box', p: 0.6, at: [['bedroom', 'floor', 'floor'], ['living_room', 'floor', 'floor']] },
  { cls: 'clothes_shirt', p: 0.85, at: [['bedroom', 'closet', 'in'], ['bedroom', 'dresser', 'in'], ['bedroom', 'bed', 'on']] },
  { cls: 'clothes_pants', p: 0.7, at: [['bedroom', 'closet', 'in'], ['bedroom', 'dresser', 'in']] },
  { cls: 'clothes_jacket', p: 0.6, at: [['bedroom', 'closet', 'in'], ['bedroom', 'bed', 'on']] },
  { cls: 'shoes', p: 0.6, at: [['bedroom', 'closet', 'in'], ['bedroom', 'floor', 'floor']] },
  { cls: 'alarm_clock', p: 0.6, at: [['bedroom', 'nightstand', 'on'], ['bedroom', 'dresser', 'on']] },
  { cls: 'paper', p: 0.6, at: [['*', 'printer', 'in'], ['*', 'desk', 'on'], ['home_office', 'filing_cabinet', 'in']] },
  { cls: 'vacuum_cleaner', p: 0.5, at: [['bedroom', 'closet', 'in'], ['living_room', 'floor', 'floor']] },
  { cls: 'iron', p: 0.45, at: [['bedroom', 'closet', 'in'], [K, 'kitchen_cabinet', 'in']] },
  { cls: 'towel', p: 0.9, at: [['bathroom', 'towel_rack', 'on'], ['bathroom', 'bathroom_cabinet', 'in'], ['bathroom', 'bathroom_counter', 'on']] },
  { cls: 'toothbrush', p: 0.85, at: [['bathroom', 'bathroom_counter', 'on'], ['bathroom', 'bathroom_cabinet', 'in'], ['bathroom', 'sink', 'on']] },
  { cls: 'tooth_paste', p: 0.85, at: [['bathroom', 'bathroom_counter', 'on'], ['bathroom', 'bathroom_cabinet', 'in'], ['bathroom', 'sink', 'on']] },
  { cls: 'soap', p: 0.75, at: [['bathroom', 'sink', 'on'], ['bathroom', 'bathroom_counter', 'on'], ['bathroom', 'bathtub', 'in']] },
  { cls: 'shampoo', p: 0.6, at: [['bathroom', 'bathtub', 'in'], ['bathroom', 'bathroom_cabinet', 'in']] },
];

export interface Scene {
  /** "apt2.0137" */
  key: string;
  family: string;
  variant: number;
  /** Initial world: no bindings, no last object. */
  init: World;
  /** Room node per room type. */
  rooms: Partial<Record<RoomType, number>>;
  /** Room type of each room node. */
  roomType: Map<number, RoomType>;
}

interface Builder {
  cls: number[];
  states: number[];
  edges: [number, number, number][];
}

function addNode(b: Builder, c: number, room: number): number {
  const id = b.cls.length;
  b.cls.push(c);
  b.states.push(CLASSES[c].states);
  if (room >= 0) b.edges.push([R_INSIDE, id, room]);
  return id;
}

export function sceneKey(family: string, variant: number): string {
  return `${family}.${String(variant).padStart(4, '0')}`;
}

/** Build the scene for (family, variant). Pure and deterministic. */
export function generateScene(family: string, variant: number): Scene {
  const roomTypes = FAMILIES[family];
  if (!roomTypes) throw new RangeError(`virtualhome: unknown scene family "${family}"`);
  if (!Number.isInteger(variant) || variant < 0) throw new RangeError(`virtualhome: bad scene variant ${variant}`);
  const key = sceneKey(family, variant);
  const b: Builder = { cls: [cls('character')], states: [0], edges: [] };
  const rooms: Partial<Record<RoomType, number>> = {};
  const roomType = new Map<number, RoomType>();
  for (const rt of roomTypes) {
    const id = addNode(b, cls(rt), -1);
    rooms[rt] = id;
    roomType.set(id, rt);
  }

  // Furniture: fixed per family.
  const famRng = Mulberry32.of(`vh/scene/${SCENE_VERSION}/family/${family}`);
  const inRoom = new Map<RoomType, Map<string, number[]>>();
  const pending: [RoomType, KitItem, number][] = [];
  for (const rt of roomTypes) {
    const here = new Map<string, number[]>();
    inRoom.set(rt, here);
    for (const item of KITS[rt]) {
      const present = famRng.chance(item.p ?? 1);
      const count = item.count ? famRng.int(item.count[0], item.count[1]) : 1;
      if (!present || (item.requires && !here.has(item.requires))) continue;
      for (let k = 0; k < count; k++) {
        const id = addNode(b, cls(item.cls), rooms[rt]!);
        if (!here.has(item.cls)) here.set(item.cls, []);
        here.get(item.cls)!.push(id);
        pending.push([rt, item, id]);
      }
    }
  }
  for (const [rt, item, id] of pending) {
    const here = inRoom.get(rt)!;
    if (item.on && here.has(item.on)) {
      const s = here.get(item.on)![0];
      b.edges.push([R_ON, id, s], [R_CLOSE, id, s], [R_CLOSE, s, id]);
    }
    for (const c of item.close ?? []) {
      for (const s of here.get(c) ?? []) b.edges.push([R_CLOSE, id, s], [R_CLOSE, s, id]);
    }
    if (item.facing && here.has(item.facing)) b.edges.push([R_FACING, id, here.get(item.facing)![0]]);
  }

  // Small objects: drawn per variant.
  const rng = Mulberry32.of(`vh/scene/${SCENE_VERSION}/variant/${key}`);
  for (const rule of PROPS) {
    const n = rng.chance(rule.p) ? (rng.chance(rule.twin ?? 0) ? 2 : 1) : 0;
    for (let k = 0; k < n; k++) {
      const spots: [number, number, 'on' | 'in' | 'floor'][] = [];
      for (const [rt, rc, rel] of rule.at) {
        for (const t of roomTypes) {
          if (rt !== '*' && rt !== t) continue;
          if (rel === 'floor') spots.push([rooms[t]!, -1, rel]);
          else for (const r of inRoom.get(t)!.get(rc) ?? []) spots.push([rooms[t]!, r, rel]);
        }
      }
      if (spots.length === 0) continue;
      const [room, recep, rel] = rng.pick(spots);
      const id = addNode(b, cls(rule.cls), room);
      if (rel === 'on') b.edges.push([R_ON, id, recep], [R_CLOSE, id, recep], [R_CLOSE, recep, id]);
      else if (rel === 'in') b.edges.push([R_INSIDE, id, recep], [R_CLOSE, id, recep], [R_CLOSE, recep, id]);
    }
  }

  // Variable states.
  for (let i = 1; i < b.cls.length; i++) {
    const name = CLASSES[b.cls[i]].name;
    const s = b.states[i];
    if (name === 'light' && rng.chance(0.5)) b.states[i] = (s & ~OFF) | ON;
    else if (name === 'window' && rng.chance(0.3)) b.states[i] = (s & ~CLOSED) | OPEN;
    else if (s & CLEAN && CLASSES[b.cls[i]].category === 'Props' && rng.chance(0.25)) b.states[i] = (s & ~CLEAN) | DIRTY;
    else if (CLASSES[b.cls[i]].props & HAS_PLUG && s & PLUGGED_IN && name !== 'light' && rng.chance(0.12)) {
      b.states[i] = (s & ~PLUGGED_IN) | PLUGGED_OUT;
    }
  }

  const startRoom = rooms[rng.pick(roomTypes)]!;
  b.edges.push([R_INSIDE, CHAR, startRoom]);

  const graph = makeSceneGraph(b.cls);
  const init = new World(graph);
  init.states.set(b.states);
  for (const [r, from, to] of b.edges) init.add(r, from, to);
  return { key, family, variant, init, rooms, roomType };
}
