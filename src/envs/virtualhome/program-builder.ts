// Writing a task's reference program. A template sets up the task's initial graph (VirtualHome
// gives every program its own initial graph, with the program's preconditions applied), then
// performs the program as natural-language actions on a live executor. Every action must succeed;
// a template that does not fit a scene throws `Infeasible` and the task is not generated.
//
// The names the program uses are bound to the nodes it meant, which is exactly SPA's
// `object_id_dict`: at reset those bindings are in place, so "walk to light" in a bedroom task
// means the bedroom light.

import * as catalog from './catalog';
import { execute, freeHand, isClose, isHeld, isSeated, roomOf, type StepOutcome } from './executor';
import { V as GRAMMAR_V, VERB_ARITY, formatAction, parseAction } from './grammar';
import { Mulberry32, type SeededRng } from '../../core/random';
import type { RoomType, Scene } from './scenes';
import { CHAR, type World } from './world';

// Bound once: tsx and vitest compile imported bindings to getter calls, which add up in the
// executor's inner loops.
const {
  CAN_OPEN, CLASSES, CLASS_WORDS, CLOSED, OFF, ON, OPEN, PLUGGED_IN, PLUGGED_OUT, R_CLOSE,
  R_INSIDE, R_ON, LYING, SITTING, cls,
} = catalog;
const V = GRAMMAR_V;

export class Infeasible extends Error {}

export class ProgramBuilder {
  readonly scene: Scene;
  readonly w: World;
  readonly rng: SeededRng;
  readonly program: string[] = [];
  /** The task's initial graph, captured at the first action. */
  initial: World | null = null;
  private readonly out: StepOutcome = { valid: false, program: null, reason: null };

  constructor(scene: Scene, rngKey: string) {
    this.scene = scene;
    this.w = scene.init.clone();
    this.rng = Mulberry32.of(rngKey);
  }

  // ---- looking things up -------------------------------------------------------------------------

  room(rt: RoomType): number {
    const r = this.scene.rooms[rt];
    if (r === undefined) throw new Infeasible(`no ${rt}`);
    return r;
  }

  hasRoom(rt: RoomType): boolean {
    return this.scene.rooms[rt] !== undefined;
  }

  /** Instances of a class, optionally only those in the given rooms (in the order given). */
  all(name: string, where?: RoomType | RoomType[]): number[] {
    const inst = this.w.g.instances[cls(name)];
    if (where === undefined) return [...inst];
    const rooms = (Array.isArray(where) ? where : [where]).map((rt) => this.scene.rooms[rt]).filter((r) => r !== undefined);
    const out: number[] = [];
    for (const r of rooms) for (const x of inst) if (roomOf(this.w, x) === r) out.push(x);
    return out;
  }

  maybe(name: string, where?: RoomType | RoomType[]): number {
    const xs = this.all(name, where);
    return xs.length > 0 ? xs[0] : -1;
  }

  find(name: string, where?: RoomType | RoomType[]): number {
    const x = this.maybe(name, where);
    if (x < 0) throw new Infeasible(`no ${name}${where ? ' in ' + String(where) : ''}`);
    return x;
  }

  /** One of the classes that are present, drawn with the task's generator. */
  pickClass(names: string[], where?: RoomType | RoomType[]): number {
    const have = names.map((n) => this.maybe(n, where)).filter((x) => x >= 0);
    if (have.length === 0) throw new Infeasible(`none of ${names.join('/')}`);
    return this.rng.pick(have);
  }

  name(x: number): string {
    return CLASS_WORDS[this.w.g.cls[x]];
  }

  roomName(x: number): string {
    return CLASS_WORDS[this.w.g.cls[roomOf(this.w, x)]];
  }

  /** The non-room node x is ON or INSIDE, or -1. */
  support(x: number): number {
    for (const r of [R_ON, R_INSIDE]) for (const y of this.w.out(r, x)) if (!this.w.g.isRoom[y]) return y;
    return -1;
  }

  // ---- setting up the initial graph (before the first action) ----------------------------------

  private setupOnly(): void {
    if (this.initial) throw new Error('virtualhome template: setup after the program started');
  }

  setStates(x: number, remove: number, add: number): void {
    this.setupOnly();
    this.w.states[x] = (this.w.states[x] & ~remove) | add;
  }

  turnedOn(x: number): void {
    this.setStates(x, OFF | PLUGGED_OUT, ON | (this.w.states[x] & (PLUGGED_IN | PLUGGED_OUT) ? PLUGGED_IN : 0));
  }

  turnedOff(x: number): void {
    this.setStates(x, ON, OFF);
  }

  /** Move an object: 'on' / 'in' a receptacle, or onto the floor of a room. */
  relocate(x: number, rel: 'on' | 'in' | 'floor', dest: number): void {
    this.setupOnly();
    const w = this.w;
    for (const r of [R_ON, R_INSIDE, R_CLOSE]) w.delAll(r, x, r === R_CLOSE);
    const room = rel === 'floor' ? dest : roomOf(w, dest);
    if (room < 0) throw new Infeasible('destination in no room');
    w.add(R_INSIDE, x, room);
    if (rel !== 'floor') {
      w.add(rel === 'on' ? R_ON : R_INSIDE, x, dest);
      w.add2(R_CLOSE, x, dest);
    }
  }

  /** Put the character somewhere to start from: lying or sitting on a piece of furniture. */
  placeCharacter(seat: number, posture: 'lying' | 'sitting'): void {
    this.setupOnly();
    const w = this.w;
    w.delAll(R_INSIDE, CHAR, false);
    w.add(R_INSIDE, CHAR, roomOf(w, seat));
    w.add2(R_CLOSE, CHAR, seat);
    w.add(R_ON, CHAR, seat);
    w.states[CHAR] = posture === 'lying' ? LYING : SITTING;
  }

  // ---- acting ----------------------------------------------------------------------------------------

  private bindName(x: number): void {
    const c = this.w.g.cls[x];
    const b = this.w.bind[c];
    if (b >= 0 && b !== x) throw new Infeasible(`two ${CLASSES[c].name} nodes in one program`);
    this.w.bind[c] = x;
  }

  act(verb: number, a = -1, b = -1): void {
    if (!this.initial) this.initial = this.w.clone();
    const arity = VERB_ARITY[verb];
    if (arity >= 1) this.bindName(a);
    if (arity >= 2) this.bindName(b);
    const text = formatAction(verb, arity >= 1 ? this.name(a) : undefined, arity >= 2 ? this.name(b) : undefined);
    const pa = parseAction(text);
    if (!pa || pa.verb !== verb) throw new Error(`virtualhome template: "${text}" does not parse back`);
    if (!execute(this.w, pa, this.out)) throw new Infeasible(`"${text}": ${this.out.reason}`);
    this.program.push(text);
  }

  goto(x: number): void {
    if (isClose(this.w, x)) return;
    if (isSeated(this.w)) this.act(V.STANDUP);
    this.act(V.WALK, x);
  }

  walkInto(rt: RoomType): void {
    if (isSeated(this.w)) this.act(V.STANDUP);
    this.act(V.WALK, this.room(rt));
  }

  /** The CLOSED container x is in, or -1. */
  closedBox(x: number): number {
    for (const y of this.w.out(R_INSIDE, x)) if (!this.w.g.isRoom[y] && this.w.states[y] & CLOSED) return y;
    return -1;
  }

  /** Pick an object up, opening (and, when tidy, closing again) what it is stored in. */
  fetch(x: number, tidy = true): void {
    if (isHeld(this.w, x)) return;
    if (freeHand(this.w) < 0) throw new Infeasible('hands full');
    const box = this.closedBox(x);
    if (box >= 0) {
      this.goto(box);
      if (this.w.states[box] & ON) this.act(V.SWITCHOFF, box);
      this.act(V.OPEN, box);
      this.act(V.GRAB, x);
      if (tidy) this.act(V.CLOSE, box);
    } else {
      this.goto(x);
      this.act(V.GRAB, x);
    }
  }

  putOn(x: number, y: number): void {
    this.fetch(x);
    this.goto(y);
    this.act(V.PUTBACK, x, y);
  }

  /** Put x in y, opening y first when it is closed; close it again afterwards when asked. */
  putIn(x: number, y: number, closeAfter = true): void {
    this.fetch(x);
    this.goto(y);
    let opened = false;
    if (this.w.g.props[y] & CAN_OPEN && this.w.states[y] & CLOSED) {
      if (this.w.states[y] & ON) this.act(V.SWITCHOFF, y);
      this.act(V.OPEN, y);
      opened = true;
    }
    this.act(V.PUTIN, x, y);
    if (closeAfter && opened) this.act(V.CLOSE, y);
  }

  switchOn(x: number): void {
    this.goto(x);
    if (this.w.states[x] & PLUGGED_OUT) this.act(V.PLUGIN, x);
    this.act(V.SWITCHON, x);
  }

  switchOff(x: number): void {
    this.goto(x);
    this.act(V.SWITCHOFF, x);
  }

  open(x: number): void {
    this.goto(x);
    if (this.w.states[x] & OPEN) return;
    this.act(V.OPEN, x);
  }

  sit(x: number): void {
    this.goto(x);
    this.act(V.SIT, x);
  }

  lie(x: number): void {
    this.goto(x);
    this.act(V.LIE, x);
  }
}
