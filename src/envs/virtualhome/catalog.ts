// The vocabulary of the VirtualHome evolving-graph world: node states, object properties, edge
// relations and the object classes that scenes are built from. Names follow VirtualHome's
// `environment.py` enums and its script class names (`coffee_table`, `remote_control`, ...), so a
// transcript reads like one from SPA's VirtualHome runs.
//
// Everything is a small integer or a bitmask, because the executor runs inside RL rollouts.

// ---- States (VirtualHome `State`) -------------------------------------------------------------

export const CLOSED = 1 << 0;
export const OPEN = 1 << 1;
export const ON = 1 << 2;
export const OFF = 1 << 3;
export const SITTING = 1 << 4;
export const DIRTY = 1 << 5;
export const CLEAN = 1 << 6;
export const LYING = 1 << 7;
export const PLUGGED_IN = 1 << 8;
export const PLUGGED_OUT = 1 << 9;

/** State names in bit order; observations print states in this order. */
export const STATE_NAMES = [
  'CLOSED', 'OPEN', 'ON', 'OFF', 'SITTING', 'DIRTY', 'CLEAN', 'LYING', 'PLUGGED_IN', 'PLUGGED_OUT',
] as const;
export type StateName = (typeof STATE_NAMES)[number];

export function stateBit(name: StateName): number {
  return 1 << STATE_NAMES.indexOf(name);
}

export function stateList(mask: number): StateName[] {
  const out: StateName[] = [];
  for (let i = 0; i < STATE_NAMES.length; i++) if (mask & (1 << i)) out.push(STATE_NAMES[i]);
  return out;
}

// ---- Properties (VirtualHome `Property`) -----------------------------------------------------

export const SURFACES = 1 << 0;
export const GRABBABLE = 1 << 1;
export const SITTABLE = 1 << 2;
export const LIEABLE = 1 << 3;
export const HANGABLE = 1 << 4;
export const DRINKABLE = 1 << 5;
export const EATABLE = 1 << 6;
export const RECIPIENT = 1 << 7;
export const CUTTABLE = 1 << 8;
export const POURABLE = 1 << 9;
export const CAN_OPEN = 1 << 10;
/** VirtualHome's name for "switchable". */
export const HAS_SWITCH = 1 << 11;
export const READABLE = 1 << 12;
export const LOOKABLE = 1 << 13;
export const CONTAINERS = 1 << 14;
export const CLOTHES = 1 << 15;
export const PERSON = 1 << 16;
export const BODY_PART = 1 << 17;
export const COVER_OBJECT = 1 << 18;
export const HAS_PLUG = 1 << 19;
export const HAS_PAPER = 1 << 20;
export const MOVABLE = 1 << 21;
export const CREAM = 1 << 22;

// ---- Relations (VirtualHome `Relation`, less BETWEEN/SITTING which no executor here reads) ----

export const R_ON = 0;
export const R_INSIDE = 1;
export const R_CLOSE = 2;
export const R_FACING = 3;
export const R_HOLDS_RH = 4;
export const R_HOLDS_LH = 5;
export const N_RELATIONS = 6;
export const RELATION_NAMES = ['ON', 'INSIDE', 'CLOSE', 'FACING', 'HOLDS_RH', 'HOLDS_LH'] as const;

// ---- Object classes --------------------------------------------------------------------------

export type Category = 'Characters' | 'Rooms' | 'Furniture' | 'Appliances' | 'Props';

export interface ClassDef {
  name: string;
  category: Category;
  props: number;
  /** States a fresh instance starts with (the generator may vary the variable ones). */
  states: number;
}

const P = {
  SURFACES, GRABBABLE, SITTABLE, LIEABLE, HANGABLE, DRINKABLE, EATABLE, RECIPIENT, CUTTABLE, POURABLE,
  CAN_OPEN, HAS_SWITCH, READABLE, LOOKABLE, CONTAINERS, CLOTHES, COVER_OBJECT, HAS_PLUG, HAS_PAPER,
  MOVABLE, CREAM,
};
type PName = keyof typeof P;

function def(name: string, category: Category, props: PName[], states: StateName[] = []): ClassDef {
  let p = 0;
  for (const k of props) p |= P[k];
  let s = 0;
  for (const k of states) s |= stateBit(k);
  // VirtualHome's `_DEFAULT_PROPERTY_STATES`: switches start OFF, openables start CLOSED.
  if (p & HAS_SWITCH && !(s & (ON | OFF))) s |= OFF;
  if (p & CAN_OPEN && !(s & (OPEN | CLOSED))) s |= CLOSED;
  if (p & HAS_PLUG && !(s & (PLUGGED_IN | PLUGGED_OUT))) s |= PLUGGED_IN;
  return { name, category, props: p, states: s };
}

/**
 * The class table. Index = class id. Properties follow VirtualHome's `properties_data.json` in
 * spirit; where VirtualHome gives a fridge a switch (so it could never be opened while running)
 * we leave it out, as the executor would otherwise make every fridge task impossible.
 */
export const CLASSES: readonly ClassDef[] = [
  def('character', 'Characters', []),
  // rooms
  def('kitchen', 'Rooms', []),
  def('living_room', 'Rooms', []),
  def('bedroom', 'Rooms', []),
  def('bathroom', 'Rooms', []),
  def('dining_room', 'Rooms', []),
  def('home_office', 'Rooms', []),
  // kitchen furniture and appliances
  def('kitchen_counter', 'Furniture', ['SURFACES'], ['CLEAN']),
  def('kitchen_cabinet', 'Furniture', ['CAN_OPEN', 'CONTAINERS']),
  def('fridge', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_PLUG']),
  def('microwave', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG']),
  def('stove', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'SURFACES']),
  def('sink', 'Furniture', ['CONTAINERS', 'RECIPIENT'], ['CLEAN']),
  def('faucet', 'Furniture', ['HAS_SWITCH']),
  def('dishwasher', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG']),
  def('coffee_maker', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG', 'RECIPIENT']),
  def('toaster', 'Appliances', ['CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG']),
  def('kitchen_table', 'Furniture', ['SURFACES'], ['CLEAN']),
  def('garbage_can', 'Furniture', ['CAN_OPEN', 'CONTAINERS']),
  // shared furniture
  def('table', 'Furniture', ['SURFACES'], ['CLEAN']),
  def('chair', 'Furniture', ['SITTABLE', 'MOVABLE']),
  def('light', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG']),
  def('window', 'Furniture', ['CAN_OPEN'], ['CLEAN']),
  def('bookshelf', 'Furniture', ['SURFACES', 'CONTAINERS']),
  // living room
  def('sofa', 'Furniture', ['SITTABLE', 'LIEABLE', 'SURFACES']),
  def('television', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG', 'LOOKABLE']),
  def('tv_stand', 'Furniture', ['SURFACES']),
  def('coffee_table', 'Furniture', ['SURFACES'], ['CLEAN']),
  def('floor_lamp', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG']),
  def('stereo', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG']),
  def('painting', 'Props', ['LOOKABLE']),
  // bedroom
  def('bed', 'Furniture', ['SITTABLE', 'LIEABLE', 'SURFACES']),
  def('nightstand', 'Furniture', ['SURFACES', 'CAN_OPEN', 'CONTAINERS']),
  def('closet', 'Furniture', ['CAN_OPEN', 'CONTAINERS']),
  def('dresser', 'Furniture', ['CAN_OPEN', 'CONTAINERS', 'SURFACES']),
  def('table_lamp', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG']),
  // office
  def('desk', 'Furniture', ['SURFACES']),
  def('computer', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG', 'LOOKABLE']),
  def('printer', 'Appliances', ['HAS_SWITCH', 'HAS_PLUG', 'CONTAINERS']),
  def('filing_cabinet', 'Furniture', ['CAN_OPEN', 'CONTAINERS']),
  // bathroom
  def('toilet', 'Furniture', ['SITTABLE', 'CONTAINERS'], ['CLEAN']),
  def('bathtub', 'Furniture', ['LIEABLE', 'SITTABLE', 'CONTAINERS'], ['CLEAN']),
  def('towel_rack', 'Furniture', ['SURFACES']),
  def('mirror', 'Furniture', ['LOOKABLE'], ['CLEAN']),
  def('bathroom_cabinet', 'Furniture', ['CAN_OPEN', 'CONTAINERS']),
  def('bathroom_counter', 'Furniture', ['SURFACES'], ['CLEAN']),
  def('washing_machine', 'Appliances', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG']),
  // props: dishes and food
  def('plate', 'Props', ['GRABBABLE', 'RECIPIENT', 'SURFACES'], ['CLEAN']),
  def('cup', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('mug', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('water_glass', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('wine_glass', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('bowl', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('fork', 'Props', ['GRABBABLE'], ['CLEAN']),
  def('spoon', 'Props', ['GRABBABLE'], ['CLEAN']),
  def('knife', 'Props', ['GRABBABLE'], ['CLEAN']),
  def('frying_pan', 'Props', ['GRABBABLE', 'SURFACES', 'CONTAINERS'], ['CLEAN']),
  def('cooking_pot', 'Props', ['GRABBABLE', 'CONTAINERS', 'RECIPIENT'], ['CLEAN']),
  def('milk', 'Props', ['GRABBABLE', 'DRINKABLE', 'POURABLE']),
  def('juice', 'Props', ['GRABBABLE', 'DRINKABLE', 'POURABLE']),
  def('wine', 'Props', ['GRABBABLE', 'DRINKABLE', 'POURABLE']),
  def('water_bottle', 'Props', ['GRABBABLE', 'DRINKABLE', 'POURABLE']),
  def('coffee', 'Props', ['GRABBABLE', 'POURABLE']),
  def('coffee_filter', 'Props', ['GRABBABLE']),
  def('cereal', 'Props', ['GRABBABLE', 'POURABLE', 'EATABLE']),
  def('bread_slice', 'Props', ['GRABBABLE', 'EATABLE', 'CUTTABLE']),
  def('apple', 'Props', ['GRABBABLE', 'EATABLE', 'CUTTABLE']),
  def('banana', 'Props', ['GRABBABLE', 'EATABLE', 'CUTTABLE']),
  def('cheese', 'Props', ['GRABBABLE', 'EATABLE', 'CUTTABLE']),
  def('egg', 'Props', ['GRABBABLE', 'EATABLE']),
  def('carrot', 'Props', ['GRABBABLE', 'EATABLE', 'CUTTABLE']),
  def('dish_soap', 'Props', ['GRABBABLE', 'POURABLE']),
  def('sponge', 'Props', ['GRABBABLE']),
  def('rag', 'Props', ['GRABBABLE']),
  // props: living, bedroom, office
  def('remote_control', 'Props', ['GRABBABLE', 'MOVABLE']),
  def('book', 'Props', ['GRABBABLE', 'READABLE', 'CAN_OPEN', 'HAS_PAPER']),
  def('magazine', 'Props', ['GRABBABLE', 'READABLE', 'HAS_PAPER']),
  def('newspaper', 'Props', ['GRABBABLE', 'READABLE', 'HAS_PAPER']),
  def('pillow', 'Props', ['GRABBABLE', 'MOVABLE']),
  def('cellphone', 'Props', ['GRABBABLE', 'HAS_SWITCH', 'HAS_PLUG']),
  def('keyboard', 'Props', ['GRABBABLE']),
  def('mouse', 'Props', ['GRABBABLE']),
  def('toy', 'Props', ['GRABBABLE', 'MOVABLE']),
  def('box', 'Props', ['GRABBABLE', 'CAN_OPEN', 'CONTAINERS']),
  def('clothes_shirt', 'Props', ['GRABBABLE', 'CLOTHES', 'HANGABLE'], ['CLEAN']),
  def('clothes_pants', 'Props', ['GRABBABLE', 'CLOTHES', 'HANGABLE'], ['CLEAN']),
  def('clothes_jacket', 'Props', ['GRABBABLE', 'CLOTHES', 'HANGABLE'], ['CLEAN']),
  def('shoes', 'Props', ['GRABBABLE', 'CLOTHES']),
  def('alarm_clock', 'Props', ['GRABBABLE', 'HAS_SWITCH']),
  def('paper', 'Props', ['GRABBABLE', 'READABLE']),
  def('vacuum_cleaner', 'Props', ['GRABBABLE', 'HAS_SWITCH', 'HAS_PLUG', 'MOVABLE'], ['PLUGGED_OUT']),
  def('iron', 'Props', ['GRABBABLE', 'HAS_SWITCH', 'HAS_PLUG'], ['PLUGGED_OUT']),
  def('video_game_controller', 'Props', ['GRABBABLE']),
  // props: bathroom
  def('towel', 'Props', ['GRABBABLE', 'COVER_OBJECT', 'HANGABLE'], ['CLEAN']),
  def('toothbrush', 'Props', ['GRABBABLE', 'RECIPIENT'], ['CLEAN']),
  def('tooth_paste', 'Props', ['GRABBABLE', 'POURABLE', 'CREAM']),
  def('soap', 'Props', ['GRABBABLE', 'CREAM']),
  def('shampoo', 'Props', ['GRABBABLE', 'POURABLE', 'CREAM']),
];

export const N_CLASSES = CLASSES.length;

const classIndex = new Map<string, number>();
CLASSES.forEach((c, i) => classIndex.set(c.name, i));

/** Class id for a VirtualHome class name, or -1. */
export function classId(name: string): number {
  const id = classIndex.get(name);
  return id === undefined ? -1 : id;
}

/** Class id, throwing for a name the catalogue does not have (generator and template code). */
export function cls(name: string): number {
  const id = classIndex.get(name);
  if (id === undefined) throw new Error(`virtualhome: unknown class "${name}"`);
  return id;
}

export const CHARACTER_CLASS = 0;

/** Natural-language form of a class name, as actions spell it ("coffee table"). */
export const CLASS_WORDS: readonly string[] = CLASSES.map((c) => c.name.replace(/_/g, ' '));

/** Nodes with a cleanliness state; washing or wiping anything else changes nothing (see executor). */
export const CLEANLINESS = DIRTY | CLEAN;
