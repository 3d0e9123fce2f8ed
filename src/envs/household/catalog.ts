// The household vocabulary: receptacle types, object types with ALFWorld's properties, room
// recipes and the six task types. Everything here is static data; ids are array indices, so the
// hot path works on small integers and never looks a name up.

export const RoomKind = { Kitchen: 0, Bathroom: 1, Bedroom: 2, LivingRoom: 3 } as const;
export type RoomKind = (typeof RoomKind)[keyof typeof RoomKind];
export const ROOM_NAMES = ['kitchen', 'bathroom', 'bedroom', 'livingroom'] as const;

/** What an appliance-like receptacle does to a held object (ALFWorld's SinkBasin/Microwave/Fridge types). */
export const Appliance = { None: 0, Clean: 1, Heat: 2, Cool: 3 } as const;
export type Appliance = (typeof Appliance)[keyof typeof Appliance];

export interface ReceptacleType {
  name: string;
  openable: boolean;
  appliance: Appliance;
}

// Alphabetical, so that sorting by type id sorts by name.
export const RECEPTACLE_TYPES: readonly ReceptacleType[] = [
  { name: 'armchair', openable: false, appliance: Appliance.None },
  { name: 'bathtubbasin', openable: false, appliance: Appliance.Clean },
  { name: 'bed', openable: false, appliance: Appliance.None },
  { name: 'cabinet', openable: true, appliance: Appliance.None },
  { name: 'coffeemachine', openable: false, appliance: Appliance.None },
  { name: 'coffeetable', openable: false, appliance: Appliance.None },
  { name: 'countertop', openable: false, appliance: Appliance.None },
  { name: 'desk', openable: false, appliance: Appliance.None },
  { name: 'diningtable', openable: false, appliance: Appliance.None },
  { name: 'drawer', openable: true, appliance: Appliance.None },
  { name: 'dresser', openable: false, appliance: Appliance.None },
  { name: 'fridge', openable: true, appliance: Appliance.Cool },
  { name: 'garbagecan', openable: false, appliance: Appliance.None },
  { name: 'handtowelholder', openable: false, appliance: Appliance.None },
  { name: 'laundryhamper', openable: false, appliance: Appliance.None },
  { name: 'microwave', openable: true, appliance: Appliance.Heat },
  { name: 'ottoman', openable: false, appliance: Appliance.None },
  { name: 'safe', openable: true, appliance: Appliance.None },
  { name: 'shelf', openable: false, appliance: Appliance.None },
  { name: 'sidetable', openable: false, appliance: Appliance.None },
  { name: 'sinkbasin', openable: false, appliance: Appliance.Clean },
  { name: 'sofa', openable: false, appliance: Appliance.None },
  { name: 'stoveburner', openable: false, appliance: Appliance.None },
  { name: 'toaster', openable: false, appliance: Appliance.None },
  { name: 'toilet', openable: false, appliance: Appliance.None },
  { name: 'toiletpaperhanger', openable: false, appliance: Appliance.None },
  { name: 'towelholder', openable: false, appliance: Appliance.None },
  { name: 'tvstand', openable: false, appliance: Appliance.None },
];

export const RECEPTACLE_BY_NAME: ReadonlyMap<string, number> = new Map(
  RECEPTACLE_TYPES.map((t, i) => [t.name, i]),
);
export function rt(name: string): number {
  const id = RECEPTACLE_BY_NAME.get(name);
  if (id === undefined) throw new Error(`unknown receptacle type ${name}`);
  return id;
}

// Property bits, as in ALFWorld's PDDL facts (cleanable, heatable, coolable, toggleable).
export const CLEANABLE = 1;
export const HEATABLE = 2;
export const COOLABLE = 4;
export const TOGGLEABLE = 8;
export const PICKUPABLE = 16;

export interface ObjectType {
  name: string;
  props: number;
  /** Rooms the object is found in (RoomKind bits: 1 << kind). */
  rooms: number;
  /** Receptacle types where the object can start and where a task may ask for it to go. */
  places: readonly string[];
}

const K = 1 << RoomKind.Kitchen;
const B = 1 << RoomKind.Bathroom;
const R = 1 << RoomKind.Bedroom;
const L = 1 << RoomKind.LivingRoom;
const P = PICKUPABLE;
const C = CLEANABLE;
const H = HEATABLE;
const O = COOLABLE;

// Alphabetical (so object ids sort like names). The lamps are toggleable fixtures placed by the
// layout, never picked up; the rest are placed per episode seed.
export const OBJECT_TYPES: readonly ObjectType[] = [
  { name: 'alarmclock', props: P, rooms: R, places: ['desk', 'dresser', 'shelf', 'sidetable'] },
  { name: 'apple', props: P | C | H | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'garbagecan', 'microwave', 'sidetable'] },
  { name: 'book', props: P, rooms: R | L, places: ['bed', 'coffeetable', 'desk', 'drawer', 'dresser', 'shelf', 'sidetable', 'sofa'] },
  { name: 'bowl', props: P | C | O, rooms: K | R | L, places: ['cabinet', 'coffeetable', 'countertop', 'desk', 'diningtable', 'fridge', 'microwave', 'shelf', 'sidetable'] },
  { name: 'box', props: P, rooms: L, places: ['armchair', 'coffeetable', 'diningtable', 'dresser', 'shelf', 'sidetable', 'sofa', 'tvstand'] },
  { name: 'bread', props: P | H | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'microwave', 'sidetable'] },
  { name: 'butterknife', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable'] },
  { name: 'candle', props: P, rooms: B, places: ['cabinet', 'countertop', 'shelf', 'toilet'] },
  { name: 'cd', props: P, rooms: R, places: ['desk', 'drawer', 'garbagecan', 'safe', 'shelf', 'sidetable'] },
  { name: 'cellphone', props: P, rooms: R | L, places: ['armchair', 'bed', 'coffeetable', 'desk', 'drawer', 'dresser', 'safe', 'sidetable', 'sofa'] },
  { name: 'cloth', props: P | C, rooms: B, places: ['bathtubbasin', 'cabinet', 'countertop', 'drawer', 'garbagecan', 'toilet'] },
  { name: 'creditcard', props: P, rooms: R | L, places: ['armchair', 'coffeetable', 'desk', 'diningtable', 'drawer', 'dresser', 'shelf', 'sidetable', 'sofa'] },
  { name: 'cup', props: P | C | H | O, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'fridge', 'microwave', 'shelf', 'sidetable'] },
  { name: 'desklamp', props: TOGGLEABLE, rooms: R | L, places: ['desk', 'dresser', 'sidetable'] },
  { name: 'dishsponge', props: P | C, rooms: K | B, places: ['cabinet', 'countertop', 'diningtable', 'drawer', 'garbagecan', 'sinkbasin', 'toilet'] },
  { name: 'egg', props: P | C | H | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'garbagecan', 'microwave', 'sidetable', 'sinkbasin'] },
  { name: 'floorlamp', props: TOGGLEABLE, rooms: R | L, places: ['armchair', 'bed', 'sidetable', 'sofa'] },
  { name: 'fork', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable', 'sinkbasin'] },
  { name: 'glassbottle', props: P, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'fridge', 'garbagecan', 'shelf'] },
  { name: 'handtowel', props: P, rooms: B, places: ['cabinet', 'countertop', 'handtowelholder'] },
  { name: 'kettle', props: P | C, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'shelf', 'stoveburner'] },
  { name: 'keychain', props: P, rooms: R | L, places: ['armchair', 'coffeetable', 'desk', 'drawer', 'dresser', 'safe', 'shelf', 'sidetable', 'sofa'] },
  { name: 'knife', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable'] },
  { name: 'ladle', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable', 'sinkbasin'] },
  { name: 'laptop', props: P, rooms: R | L, places: ['armchair', 'bed', 'coffeetable', 'desk', 'diningtable', 'sofa'] },
  { name: 'lettuce', props: P | C | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'sidetable', 'sinkbasin'] },
  { name: 'mug', props: P | C | H | O, rooms: K | R, places: ['cabinet', 'coffeemachine', 'countertop', 'desk', 'diningtable', 'fridge', 'microwave', 'shelf', 'sidetable', 'sinkbasin'] },
  { name: 'newspaper', props: P, rooms: L, places: ['armchair', 'coffeetable', 'diningtable', 'garbagecan', 'ottoman', 'sidetable', 'sofa'] },
  { name: 'pan', props: P | C | O, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'fridge', 'stoveburner'] },
  { name: 'papertowelroll', props: P, rooms: K, places: ['countertop', 'diningtable', 'shelf', 'sidetable'] },
  { name: 'pen', props: P, rooms: R, places: ['desk', 'drawer', 'dresser', 'garbagecan', 'shelf', 'sidetable'] },
  { name: 'pencil', props: P, rooms: R, places: ['desk', 'drawer', 'dresser', 'shelf', 'sidetable'] },
  { name: 'peppershaker', props: P, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'drawer', 'shelf', 'sidetable'] },
  { name: 'pillow', props: P, rooms: R | L, places: ['armchair', 'bed', 'ottoman', 'sofa'] },
  { name: 'plate', props: P | C | H | O, rooms: K | L, places: ['cabinet', 'coffeetable', 'countertop', 'diningtable', 'fridge', 'microwave', 'shelf', 'sidetable'] },
  { name: 'pot', props: P | C | O, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'fridge', 'shelf', 'stoveburner'] },
  { name: 'potato', props: P | C | H | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'garbagecan', 'microwave', 'sidetable', 'sinkbasin'] },
  { name: 'remotecontrol', props: P, rooms: L, places: ['armchair', 'coffeetable', 'dresser', 'ottoman', 'sidetable', 'sofa', 'tvstand'] },
  { name: 'saltshaker', props: P, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'drawer', 'shelf', 'sidetable'] },
  { name: 'soapbar', props: P | C, rooms: B, places: ['bathtubbasin', 'cabinet', 'countertop', 'garbagecan', 'sinkbasin', 'toilet'] },
  { name: 'soapbottle', props: P, rooms: K | B, places: ['cabinet', 'countertop', 'dresser', 'garbagecan', 'shelf', 'toilet'] },
  { name: 'spatula', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable', 'sinkbasin'] },
  { name: 'spoon', props: P | C, rooms: K, places: ['countertop', 'diningtable', 'drawer', 'sidetable', 'sinkbasin'] },
  { name: 'spraybottle', props: P, rooms: K | B, places: ['cabinet', 'countertop', 'dresser', 'garbagecan', 'shelf', 'toilet'] },
  { name: 'statue', props: P, rooms: R | L, places: ['coffeetable', 'desk', 'diningtable', 'dresser', 'shelf', 'sidetable', 'tvstand'] },
  { name: 'tissuebox', props: P, rooms: B | R | L, places: ['cabinet', 'coffeetable', 'countertop', 'desk', 'dresser', 'shelf', 'sidetable', 'toilet'] },
  { name: 'toiletpaper', props: P, rooms: B, places: ['cabinet', 'countertop', 'drawer', 'garbagecan', 'shelf', 'toilet', 'toiletpaperhanger'] },
  { name: 'tomato', props: P | C | H | O, rooms: K, places: ['countertop', 'diningtable', 'fridge', 'garbagecan', 'microwave', 'sidetable', 'sinkbasin'] },
  { name: 'towel', props: P, rooms: B, places: ['bathtubbasin', 'cabinet', 'countertop', 'towelholder'] },
  { name: 'vase', props: P, rooms: R | L, places: ['coffeetable', 'desk', 'diningtable', 'dresser', 'shelf', 'sidetable', 'tvstand'] },
  { name: 'watch', props: P, rooms: R | L, places: ['armchair', 'coffeetable', 'desk', 'drawer', 'dresser', 'safe', 'shelf', 'sidetable', 'sofa'] },
  { name: 'winebottle', props: P | O, rooms: K, places: ['cabinet', 'countertop', 'diningtable', 'fridge', 'garbagecan', 'shelf'] },
];

export const OBJECT_BY_NAME: ReadonlyMap<string, number> = new Map(OBJECT_TYPES.map((t, i) => [t.name, i]));
export function ot(name: string): number {
  const id = OBJECT_BY_NAME.get(name);
  if (id === undefined) throw new Error(`unknown object type ${name}`);
  return id;
}
export const DESKLAMP = ot('desklamp');
export const FLOORLAMP = ot('floorlamp');

/** Receptacle-type ids where each object type may be, as a bitmask over receptacle type ids (< 32). */
export const OBJECT_PLACE_MASK: readonly number[] = OBJECT_TYPES.map((t) =>
  t.places.reduce((m, p) => m | (1 << rt(p)), 0),
);

/**
 * Object types that appear only in the unseen-test split (as goals and as distractors), so that
 * split measures generalisation to new vocabulary as well as new layouts.
 */
export const HELD_OUT_TYPES: readonly string[] = ['candle', 'cd', 'ladle', 'potato', 'statue', 'winebottle'];
export const HELD_OUT_MASK: readonly boolean[] = OBJECT_TYPES.map((t) => HELD_OUT_TYPES.includes(t.name));

/** A room recipe: receptacle type, min count, max count, probability it is present at all. */
export type RecipeRow = readonly [type: string, min: number, max: number, p: number];

export const ROOM_RECIPES: readonly (readonly RecipeRow[])[] = [
  // kitchen
  [
    ['cabinet', 3, 12, 1], ['coffeemachine', 1, 1, 0.9], ['countertop', 1, 3, 1], ['diningtable', 1, 1, 0.6],
    ['drawer', 2, 9, 1], ['fridge', 1, 1, 1], ['garbagecan', 1, 1, 1], ['microwave', 1, 1, 1],
    ['shelf', 1, 3, 0.4], ['sidetable', 1, 1, 0.3], ['sinkbasin', 1, 2, 1], ['stoveburner', 2, 4, 1],
    ['toaster', 1, 1, 0.7],
  ],
  // bathroom
  [
    ['bathtubbasin', 1, 1, 0.5], ['cabinet', 1, 4, 0.9], ['countertop', 1, 1, 1], ['drawer', 1, 4, 0.5],
    ['dresser', 1, 1, 0.2], ['garbagecan', 1, 1, 1], ['handtowelholder', 1, 2, 0.7], ['shelf', 1, 3, 0.4],
    ['sinkbasin', 1, 2, 1], ['toilet', 1, 1, 1], ['toiletpaperhanger', 1, 1, 1], ['towelholder', 1, 2, 0.7],
  ],
  // bedroom
  [
    ['armchair', 1, 1, 0.3], ['bed', 1, 1, 1], ['cabinet', 1, 2, 0.2], ['desk', 1, 2, 0.7],
    ['drawer', 1, 8, 1], ['dresser', 1, 1, 0.6], ['garbagecan', 1, 1, 1], ['laundryhamper', 1, 1, 0.4],
    ['safe', 1, 1, 0.3], ['shelf', 1, 6, 0.7], ['sidetable', 1, 2, 0.7],
  ],
  // living room
  [
    ['armchair', 1, 2, 0.7], ['cabinet', 1, 4, 0.4], ['coffeetable', 1, 2, 1], ['diningtable', 1, 1, 0.4],
    ['drawer', 1, 4, 0.5], ['dresser', 1, 1, 0.3], ['garbagecan', 1, 1, 1], ['ottoman', 1, 1, 0.3],
    ['shelf', 1, 6, 0.6], ['sidetable', 1, 2, 0.8], ['sofa', 1, 1, 1], ['tvstand', 1, 1, 0.6],
  ],
];

export const TaskKind = {
  PickAndPlace: 0,
  LookAtObjInLight: 1,
  PickCleanThenPlace: 2,
  PickHeatThenPlace: 3,
  PickCoolThenPlace: 4,
  PickTwoObjAndPlace: 5,
} as const;
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

/** ALFWorld's task-type names (alfred_tw_env.py), used in info and in labels. */
export const TASK_KIND_NAMES = [
  'pick_and_place_simple',
  'look_at_obj_in_light',
  'pick_clean_then_place_in_recep',
  'pick_heat_then_place_in_recep',
  'pick_cool_then_place_in_recep',
  'pick_two_obj_and_place',
] as const;

/** Roughly ALFWorld's train mix (790/308/650/459/533/813 of 3,553). */
export const TASK_KIND_WEIGHTS = [790, 308, 650, 459, 533, 813];

/** Appliance and property a modifier task needs. */
export const TASK_APPLIANCE: readonly Appliance[] = [
  Appliance.None, Appliance.None, Appliance.Clean, Appliance.Heat, Appliance.Cool, Appliance.None,
];
export const APPLIANCE_PROP: readonly number[] = [0, CLEANABLE, HEATABLE, COOLABLE];

/** Rooms where a task kind can be set (look needs a lamp; heat and cool need the kitchen's appliances). */
export const TASK_ROOMS: readonly (readonly RoomKind[])[] = [
  [RoomKind.Kitchen, RoomKind.Bathroom, RoomKind.Bedroom, RoomKind.LivingRoom],
  [RoomKind.Bedroom, RoomKind.LivingRoom],
  [RoomKind.Kitchen, RoomKind.Bathroom],
  [RoomKind.Kitchen],
  [RoomKind.Kitchen],
  [RoomKind.Kitchen, RoomKind.Bathroom, RoomKind.Bedroom, RoomKind.LivingRoom],
];

/**
 * Task sentences in ALFWorld's phrasings ({o} object type, {r} receptacle type, {l} lamp type).
 * Several per kind, as in the ALFRED annotations that ALFWorld turns into goals.
 */
export const GOAL_TEMPLATES: readonly (readonly string[])[] = [
  ['put a {o} in {r}.', 'put some {o} on {r}.', 'find some {o} and put it in {r}.'],
  ['look at {o} under the {l}.', 'examine the {o} with the {l}.'],
  ['put a clean {o} in {r}.', 'clean some {o} and put it in {r}.'],
  ['put a hot {o} in {r}.', 'heat some {o} and put it in {r}.'],
  ['put a cool {o} in {r}.', 'cool some {o} and put it in {r}.'],
  ['put two {o} in {r}.', 'find two {o} and put them in {r}.'],
];
