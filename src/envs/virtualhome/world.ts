// The evolving graph: one scene's static node table plus the mutable part (node states, edges,
// name bindings). Edges are bitset rows per (relation, node), kept together with their transpose:
// scenes have about a hundred nodes, so a row is four words, a whole graph is a few KB (reset is
// one memcpy), "is there an edge" is one load, and the executor's closeness rule is a handful of
// word ANDs. A 64-bit Zobrist hash of the edge set is kept up to date on every change so that
// `stateKey` never has to walk the edges.

import * as hash from '../../core/hash';
import * as catalog from './catalog';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CHARACTER_CLASS, CLASSES, N_CLASSES, N_RELATIONS,
} = catalog;
const { fmix32 } = hash;

/** The character is always node 0. */
export const CHAR = 0;

/** What never changes within a scene. */
export interface SceneGraph {
  readonly n: number;
  readonly cls: Int16Array;
  readonly props: Int32Array;
  readonly isRoom: Uint8Array;
  /** Node ids per class id, ascending (empty array when the class is absent). */
  readonly instances: readonly (readonly number[])[];
  /** Class ids present in the scene, in the order actions are listed (rooms first, then by name). */
  readonly present: readonly number[];
}

export function makeSceneGraph(cls: number[]): SceneGraph {
  const n = cls.length;
  if (n > 4096) throw new Error('virtualhome: scene too large');
  if (cls[CHAR] !== CHARACTER_CLASS) throw new Error('virtualhome: node 0 must be the character');
  const c16 = Int16Array.from(cls);
  const props = new Int32Array(n);
  const isRoom = new Uint8Array(n);
  const instances: number[][] = Array.from({ length: N_CLASSES }, () => []);
  for (let i = 0; i < n; i++) {
    const d = CLASSES[cls[i]];
    props[i] = d.props;
    isRoom[i] = d.category === 'Rooms' ? 1 : 0;
    instances[cls[i]].push(i);
  }
  const present: number[] = [];
  for (let c = 1; c < N_CLASSES; c++) if (instances[c].length > 0) present.push(c);
  present.sort((a, b) => {
    const ra = CLASSES[a].category === 'Rooms' ? 0 : 1;
    const rb = CLASSES[b].category === 'Rooms' ? 0 : 1;
    return ra - rb || (CLASSES[a].name < CLASSES[b].name ? -1 : 1);
  });
  return { n, cls: c16, props, isRoom, instances, present };
}

/** Lowest set bit index of a non-zero 32-bit word. */
export function lowBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class World {
  readonly g: SceneGraph;
  readonly n: number;
  /** 32-bit words per bitset row. */
  readonly W: number;
  readonly states: Uint16Array;
  /**
   * Edges as bitset rows: bit b of row (r, a) in `outs` is set when a -r-> b exists; `ins` holds
   * the transpose (bit a of row (r, b)), so "what is ON x" is as cheap as "what is x ON".
   * Row (r, a) starts at word (r * n + a) * W.
   */
  readonly outs: Uint32Array;
  readonly ins: Uint32Array;
  /** Bitset of room nodes. */
  readonly roomBits: Uint32Array;
  /**
   * Where a held object was grabbed from, for `put back` (VirtualHome's executor_data):
   * `dest * 8 + relation`, or -1.
   */
  readonly origin: Int32Array;
  /**
   * Name bindings (SPA's `specific_objects`): class id -> node id, -1 when unbound. Once a class
   * name has been resolved to a node, that name keeps meaning that node for the episode.
   */
  readonly bind: Int16Array;
  /** The node the last resolved action referred to (SPA's `last_obj_id`), or -1. */
  lastObj = -1;
  /** Zobrist hash of the edge set (two 32-bit halves). */
  h1 = 0;
  h2 = 0;

  constructor(g: SceneGraph) {
    this.g = g;
    this.n = g.n;
    this.W = (g.n + 31) >>> 5;
    this.states = new Uint16Array(g.n);
    this.outs = new Uint32Array(N_RELATIONS * g.n * this.W);
    this.ins = new Uint32Array(N_RELATIONS * g.n * this.W);
    this.roomBits = new Uint32Array(this.W);
    for (let i = 0; i < g.n; i++) if (g.isRoom[i]) this.roomBits[i >>> 5] |= 1 << (i & 31);
    this.origin = new Int32Array(g.n).fill(-1);
    this.bind = new Int16Array(N_CLASSES).fill(-1);
  }

  copyFrom(o: World): void {
    if (o.g !== this.g) throw new Error('virtualhome: copyFrom across scenes');
    this.states.set(o.states);
    this.outs.set(o.outs);
    this.ins.set(o.ins);
    this.origin.set(o.origin);
    this.bind.set(o.bind);
    this.lastObj = o.lastObj;
    this.h1 = o.h1;
    this.h2 = o.h2;
  }

  clone(): World {
    const w = new World(this.g);
    w.copyFrom(this);
    return w;
  }

  /** Word offset of row (r, a). */
  row(r: number, a: number): number {
    return (r * this.n + a) * this.W;
  }

  has(r: number, a: number, b: number): boolean {
    return ((this.outs[(r * this.n + a) * this.W + (b >>> 5)] >>> (b & 31)) & 1) === 1;
  }

  add(r: number, a: number, b: number): void {
    const i = (r * this.n + a) * this.W + (b >>> 5);
    const m = 1 << (b & 31);
    if (this.outs[i] & m) return;
    this.outs[i] |= m;
    this.ins[(r * this.n + b) * this.W + (a >>> 5)] |= 1 << (a & 31);
    this.toggle(r, a, b);
  }

  del(r: number, a: number, b: number): void {
    const i = (r * this.n + a) * this.W + (b >>> 5);
    const m = 1 << (b & 31);
    if (!(this.outs[i] & m)) return;
    this.outs[i] &= ~m;
    this.ins[(r * this.n + b) * this.W + (a >>> 5)] &= ~(1 << (a & 31));
    this.toggle(r, a, b);
  }

  /** Both directions, as VirtualHome's `add_reverse=True`. */
  add2(r: number, a: number, b: number): void {
    this.add(r, a, b);
    this.add(r, b, a);
  }

  private toggle(r: number, a: number, b: number): void {
    const i = (r * this.n + a) * this.n + b;
    this.h1 = (this.h1 ^ fmix32(Math.imul(i + 1, 0x9e3779b1))) >>> 0;
    this.h2 = (this.h2 ^ fmix32(Math.imul(i + 0x632be5ab, 0x85ebca77) ^ 0x5bd1e995)) >>> 0;
  }

  /** Remove every edge of relation r leaving `a` (and, with `reverse`, arriving at `a`). */
  delAll(r: number, a: number, reverse: boolean): void {
    const W = this.W;
    const base = (r * this.n + a) * W;
    for (let k = 0; k < W; k++) {
      let word = this.outs[base + k];
      while (word !== 0) {
        const b = (k << 5) + lowBit(word);
        word &= word - 1;
        this.del(r, a, b);
      }
      if (!reverse) continue;
      word = this.ins[base + k];
      while (word !== 0) {
        const s = (k << 5) + lowBit(word);
        word &= word - 1;
        this.del(r, s, a);
      }
    }
  }

  /** First target of relation r from `a` (lowest id), or -1. */
  first(r: number, a: number): number {
    const W = this.W;
    const base = (r * this.n + a) * W;
    for (let k = 0; k < W; k++) {
      const word = this.outs[base + k];
      if (word !== 0) return (k << 5) + lowBit(word);
    }
    return -1;
  }

  /** Targets of relation r from `a`, ascending. */
  out(r: number, a: number): number[] {
    return bitsToList(this.outs, (r * this.n + a) * this.W, this.W);
  }

  /** Sources of relation r into `b`, ascending. */
  into(r: number, b: number): number[] {
    return bitsToList(this.ins, (r * this.n + b) * this.W, this.W);
  }

  /**
   * Exact 64-bit digest of everything that can change: edges, states, bindings, grab origins.
   * With names=false the name bindings and the last object used are left out: what is left is
   * the physical world, which a failed action never changes (it may still bind a name, as SPA's
   * parser does).
   */
  digest(names = true): string {
    let a = this.h1 ^ 0x27d4eb2f;
    let b = this.h2 ^ 0x165667b1;
    const mixIn = (v: number, k: number) => {
      a = fmix32((a ^ Math.imul(v + 1, 0x9e3779b1) ^ k) >>> 0);
      b = fmix32((b ^ Math.imul(v + 0x7f4a7c15, 0xc2b2ae35) ^ (k << 7)) >>> 0);
    };
    const n = this.n;
    for (let i = 0; i < n; i++) if (this.states[i] !== 0) mixIn(this.states[i], i);
    for (let i = 0; i < n; i++) if (this.origin[i] !== -1) mixIn(this.origin[i], 0x10000 + i);
    if (names) {
      for (let c = 0; c < this.bind.length; c++) if (this.bind[c] !== -1) mixIn(this.bind[c], 0x20000 + c);
      mixIn(this.lastObj, 0x30000);
    }
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

export function bitsToList(bits: Uint32Array, base: number, W: number): number[] {
  const res: number[] = [];
  for (let k = 0; k < W; k++) {
    let word = bits[base + k];
    while (word !== 0) {
      res.push((k << 5) + lowBit(word));
      word &= word - 1;
    }
  }
  return res;
}
