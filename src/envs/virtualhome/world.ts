// The evolving graph: one scene's static node table plus the mutable part (node states, edges,
// name bindings). Edges live in a dense byte matrix per relation: scenes have about a hundred
// nodes, so a matrix is small (tens of KB), copying it on reset is one memcpy, and every
// "is there an edge" question is one load. A 64-bit Zobrist hash of the edge set is kept up to
// date on every change so that `stateKey` never has to walk the matrix.

import { CHARACTER_CLASS, CLASSES, N_CLASSES, N_RELATIONS } from './catalog';

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

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class World {
  readonly g: SceneGraph;
  readonly n: number;
  readonly states: Uint16Array;
  /** adj[(r * n + from) * n + to] = 1 when the edge exists. */
  readonly adj: Uint8Array;
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
    this.states = new Uint16Array(g.n);
    this.adj = new Uint8Array(N_RELATIONS * g.n * g.n);
    this.origin = new Int32Array(g.n).fill(-1);
    this.bind = new Int16Array(N_CLASSES).fill(-1);
  }

  copyFrom(o: World): void {
    if (o.g !== this.g) throw new Error('virtualhome: copyFrom across scenes');
    this.states.set(o.states);
    this.adj.set(o.adj);
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

  has(r: number, a: number, b: number): boolean {
    return this.adj[(r * this.n + a) * this.n + b] === 1;
  }

  add(r: number, a: number, b: number): void {
    const i = (r * this.n + a) * this.n + b;
    if (this.adj[i] === 0) {
      this.adj[i] = 1;
      this.toggle(i);
    }
  }

  del(r: number, a: number, b: number): void {
    const i = (r * this.n + a) * this.n + b;
    if (this.adj[i] === 1) {
      this.adj[i] = 0;
      this.toggle(i);
    }
  }

  /** Both directions, as VirtualHome's `add_reverse=True`. */
  add2(r: number, a: number, b: number): void {
    this.add(r, a, b);
    this.add(r, b, a);
  }

  private toggle(i: number): void {
    this.h1 = (this.h1 ^ fmix32(Math.imul(i + 1, 0x9e3779b1))) >>> 0;
    this.h2 = (this.h2 ^ fmix32(Math.imul(i + 0x632be5ab, 0x85ebca77) ^ 0x5bd1e995)) >>> 0;
  }

  /** Remove every edge of relation r leaving `a` (and, with `reverse`, arriving at `a`). */
  delAll(r: number, a: number, reverse: boolean): void {
    const n = this.n;
    const row = (r * n + a) * n;
    for (let b = 0; b < n; b++) {
      if (this.adj[row + b] === 1) this.del(r, a, b);
      if (reverse && this.adj[(r * n + b) * n + a] === 1) this.del(r, b, a);
    }
  }

  /** First target of relation r from `a` (lowest id), or -1. */
  first(r: number, a: number): number {
    const n = this.n;
    const row = (r * n + a) * n;
    for (let b = 0; b < n; b++) if (this.adj[row + b] === 1) return b;
    return -1;
  }

  /** Targets of relation r from `a`, ascending. */
  out(r: number, a: number): number[] {
    const n = this.n;
    const row = (r * n + a) * n;
    const res: number[] = [];
    for (let b = 0; b < n; b++) if (this.adj[row + b] === 1) res.push(b);
    return res;
  }

  /** Sources of relation r into `b`, ascending. */
  into(r: number, b: number): number[] {
    const n = this.n;
    const res: number[] = [];
    for (let a = 0; a < n; a++) if (this.adj[(r * n + a) * n + b] === 1) res.push(a);
    return res;
  }

  /** Exact 64-bit digest of everything that can change: edges, states, bindings, grab origins. */
  digest(): string {
    let a = this.h1 ^ 0x27d4eb2f;
    let b = this.h2 ^ 0x165667b1;
    const mixIn = (v: number, k: number) => {
      a = fmix32((a ^ Math.imul(v + 1, 0x9e3779b1) ^ k) >>> 0);
      b = fmix32((b ^ Math.imul(v + 0x7f4a7c15, 0xc2b2ae35) ^ (k << 7)) >>> 0);
    };
    const n = this.n;
    for (let i = 0; i < n; i++) if (this.states[i] !== 0) mixIn(this.states[i], i);
    for (let i = 0; i < n; i++) if (this.origin[i] !== -1) mixIn(this.origin[i], 0x10000 + i);
    for (let c = 0; c < this.bind.length; c++) if (this.bind[c] !== -1) mixIn(this.bind[c], 0x20000 + c);
    mixIn(this.lastObj, 0x30000);
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}
