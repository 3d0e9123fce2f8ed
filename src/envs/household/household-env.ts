// The household environment: ALFWorld's text game (TextWorld over alfred.pddl) rebuilt as a
// typed world. State is a handful of typed arrays over integer ids; commands are valid exactly
// when they are admissible, as in TextWorld, where anything else is "Nothing happens."

import type { Env, Observation, StepResult } from '../env';
import { Appliance, CLEANABLE, COOLABLE, HEATABLE, PICKUPABLE, TASK_KIND_NAMES, TOGGLEABLE, TaskKind } from './catalog';
import { Cmd, normalise, parse } from './command';
import { GENERATOR_VERSION, placeObjects, taskFor, type TaskDef } from './generate';
import {
  CLOSE,
  EXAMINE_OBJ,
  EXAMINE_REC,
  GO_TO,
  OPEN,
  USE,
  WITH_ARTICLE,
  cleanCmd,
  coolCmd,
  heatCmd,
  putCmd,
  takeCmd,
} from './names';

export const HOUSEHOLD_NAME = 'household';
export const HOUSEHOLD_MAX_STEPS = 40;
/** The grammar is ALFWorld's classic alfred.twl2 ("put X in/on Y"); "move X to Y" is an alias. */
export const HOUSEHOLD_GRAMMAR = 'alfred-classic-put';
export const HOUSEHOLD_SPLITS_VERSION = 1;
export const HOUSEHOLD_VERSION = `household/1 grammar=${HOUSEHOLD_GRAMMAR}(put X in/on Y; alias move X to Y) generator=${GENERATOR_VERSION} splits=${HOUSEHOLD_SPLITS_VERSION}`;
export const NOTHING_HAPPENS = 'Nothing happens.';

const HELD = -2;
const MIDDLE = -1;

// Per-object state bits.
const IS_CLEAN = 1;
const IS_HOT = 2;
const IS_COOL = 4;
const IS_ON = 8;

export class HouseholdEnv implements Env {
  readonly name = HOUSEHOLD_NAME;
  readonly version = HOUSEHOLD_VERSION;
  readonly maxSteps: number;

  private def!: TaskDef;
  private loc = MIDDLE;
  private held = -1;
  private objLoc: Int16Array = new Int16Array(0);
  private objState: Uint8Array = new Uint8Array(0);
  private recOpen: Uint8Array = new Uint8Array(0);
  /** Objects inside/on each receptacle, ascending id (= name order). Floor lamps are not in it. */
  private contents: number[][] = [];
  /** Floor lamps standing next to each receptacle. */
  private beside: number[][] = [];
  /** "a apple 1, and a mug 2" per receptacle, or null when its contents changed. */
  private seeCache: (string | null)[] = [];
  /** Objects the agent has seen (shown in an observation), for plausibleActions(). */
  private seenObj: Uint8Array = new Uint8Array(0);
  /** Where each seen object was last seen: a receptacle id, -1 when never seen. */
  private seenAt: Int16Array = new Int16Array(0);
  private steps = 0;
  private done = true;
  private won = false;

  constructor(maxSteps = HOUSEHOLD_MAX_STEPS) {
    this.maxSteps = maxSteps;
  }

  reset(taskId: string, seed: number): Observation {
    const def = taskFor(taskId);
    this.def = def;
    this.loc = MIDDLE;
    this.held = -1;
    this.objLoc = placeObjects(def, seed);
    this.objState = new Uint8Array(def.nObj);
    this.recOpen = new Uint8Array(def.nRec);
    this.contents = [];
    this.beside = [];
    this.seeCache = new Array<string | null>(def.nRec).fill(null);
    for (let r = 0; r < def.nRec; r++) {
      this.contents.push([]);
      this.beside.push([]);
    }
    for (let o = 0; o < def.nObj; o++) {
      if (def.lampNextTo[o]) this.beside[this.objLoc[o]].push(o);
      else this.contents[this.objLoc[o]].push(o);
    }
    this.seenObj = new Uint8Array(def.nObj);
    this.seenAt = new Int16Array(def.nObj).fill(-1);
    this.steps = 0;
    this.done = false;
    this.won = false;
    return { text: def.intro, goal: this.goalText() };
  }

  /** The task sentence as it appears after "Your task is to: ". */
  get goal(): string {
    return this.def.goal.text;
  }
  get taskType(): string {
    return TASK_KIND_NAMES[this.def.goal.kind];
  }
  get stepCount(): number {
    return this.steps;
  }
  get isDone(): boolean {
    return this.done;
  }
  get isWon(): boolean {
    return this.won;
  }

  private goalText(): string {
    return 'Your task is to: ' + this.def.goal.text;
  }

  step(action: string): StepResult {
    if (this.done || !this.def) {
      return {
        observation: { text: NOTHING_HAPPENS, goal: this.def ? this.goalText() : '' },
        reward: 0,
        done: true,
        valid: false,
        won: false,
        info: { episode_over: true },
      };
    }
    this.steps++;
    const text = typeof action === 'string' ? this.execute(normalise(action)) : null;
    const valid = text !== null;
    if (valid) this.markSeen();
    const truncated = !this.won && this.steps >= this.maxSteps;
    if (this.won || truncated) this.done = true;
    return {
      observation: { text: valid ? text : NOTHING_HAPPENS, goal: this.goalText() },
      reward: this.won ? 1 : 0,
      done: this.done,
      valid,
      // Success is decided here alone: checkPlaced/checkLight set this.won on the winning step.
      won: this.won,
      info: { truncated },
    };
  }

  /** Run a normalised command; the feedback text, or null when nothing happens. */
  private execute(s: string): string | null {
    const def = this.def;
    const { cmd, a, b } = parse(def, s);
    switch (cmd) {
      case Cmd.Look:
        return this.lookText();
      case Cmd.Inventory:
        return this.held >= 0 ? `You are carrying: a ${def.objName[this.held]}.` : 'You are not carrying anything.';
      case Cmd.GoTo:
        if (a === this.loc) return null;
        this.loc = a;
        if (def.goal.kind === TaskKind.LookAtObjInLight) this.checkLight();
        return `You arrive at ${def.recName[a]}. ${this.describe(a)}`;
      case Cmd.Open:
        if (a !== this.loc || !def.recOpenable[a] || this.recOpen[a]) return null;
        this.recOpen[a] = 1;
        return `You open the ${def.recName[a]}. ${this.describe(a)}`;
      case Cmd.Close:
        if (a !== this.loc || !def.recOpenable[a] || !this.recOpen[a]) return null;
        this.recOpen[a] = 0;
        return `You close the ${def.recName[a]}.`;
      case Cmd.Take: {
        if (this.held >= 0 || b !== this.loc || !this.reachable(b)) return null;
        if (this.objLoc[a] !== b || def.lampNextTo[a] || !(def.objProps[a] & PICKUPABLE)) return null;
        const list = this.contents[b];
        list.splice(list.indexOf(a), 1);
        this.seeCache[b] = null;
        this.objLoc[a] = HELD;
        this.held = a;
        if (def.goal.kind === TaskKind.LookAtObjInLight) this.checkLight();
        return `You pick up the ${def.objName[a]} from the ${def.recName[b]}.`;
      }
      case Cmd.Put: {
        if (this.held !== a || b !== this.loc || !this.reachable(b)) return null;
        const list = this.contents[b];
        let i = list.length;
        while (i > 0 && list[i - 1] > a) i--;
        list.splice(i, 0, a);
        this.seeCache[b] = null;
        this.objLoc[a] = b;
        this.held = -1;
        this.checkPlaced();
        return `You put the ${def.objName[a]} in/on the ${def.recName[b]}.`;
      }
      case Cmd.ExamineRec:
        if (a !== this.loc) return null;
        return this.describe(a);
      case Cmd.ExamineObj:
        if (a !== this.held) return null;
        return this.examineObject(a);
      case Cmd.Use: {
        if (!(def.objProps[a] & TOGGLEABLE) || !this.lampHere(a)) return null;
        this.objState[a] ^= IS_ON;
        if (def.goal.kind === TaskKind.LookAtObjInLight) this.checkLight();
        return this.objState[a] & IS_ON ? `You turn on the ${def.objName[a]}.` : `You turn off the ${def.objName[a]}.`;
      }
      case Cmd.Heat:
        if (a !== this.held || b !== this.loc || def.recAppliance[b] !== Appliance.Heat || !(def.objProps[a] & HEATABLE)) return null;
        this.objState[a] = (this.objState[a] & ~IS_COOL) | IS_HOT;
        return `You heat the ${def.objName[a]} using the ${def.recName[b]}.`;
      case Cmd.Clean:
        if (a !== this.held || b !== this.loc || def.recAppliance[b] !== Appliance.Clean || !(def.objProps[a] & CLEANABLE)) return null;
        this.objState[a] |= IS_CLEAN;
        return `You clean the ${def.objName[a]} using the ${def.recName[b]}.`;
      case Cmd.Cool:
        if (a !== this.held || b !== this.loc || def.recAppliance[b] !== Appliance.Cool || !(def.objProps[a] & COOLABLE)) return null;
        this.objState[a] = (this.objState[a] & ~IS_HOT) | IS_COOL;
        return `You cool the ${def.objName[a]} using the ${def.recName[b]}.`;
      default:
        return null;
    }
  }

  /** Objects in a receptacle can be seen and reached unless it is a closed openable one. */
  private reachable(r: number): boolean {
    return !this.def.recOpenable[r] || this.recOpen[r] === 1;
  }

  private lampHere(o: number): boolean {
    const r = this.objLoc[o];
    if (r !== this.loc || r < 0) return false;
    return this.def.lampNextTo[o] === 1 || this.reachable(r);
  }

  private seeList(r: number): string {
    const hit = this.seeCache[r];
    if (hit !== null) return hit;
    const list = this.contents[r];
    const wa = WITH_ARTICLE;
    let s: string;
    if (list.length === 0) s = 'nothing';
    else if (list.length === 1) s = wa[this.def.objGid[list[0]]];
    else {
      s = wa[this.def.objGid[list[0]]];
      for (let i = 1; i < list.length; i++) s += (i === list.length - 1 ? ', and ' : ', ') + wa[this.def.objGid[list[i]]];
    }
    this.seeCache[r] = s;
    return s;
  }

  /** TextWorld's examineReceptacle feedback. */
  private describe(r: number): string {
    const name = this.def.recName[r];
    if (this.def.recOpenable[r]) {
      return this.recOpen[r] ? `The ${name} is open. In it, you see ${this.seeList(r)}.` : `The ${name} is closed.`;
    }
    return `On the ${name}, you see ${this.seeList(r)}.`;
  }

  private lookText(): string {
    if (this.loc < 0) return this.def.middleLook;
    const near = this.beside[this.loc];
    let list = 'nothing';
    if (near.length > 0) {
      const wa = WITH_ARTICLE;
      list = wa[this.def.objGid[near[0]]];
      for (let i = 1; i < near.length; i++) list += (i === near.length - 1 ? ', and ' : ', ') + wa[this.def.objGid[near[i]]];
    }
    return `You are facing the ${this.def.recName[this.loc]}. Next to it, you see ${list}.`;
  }

  private examineObject(o: number): string {
    const s = this.objState[o];
    const n = this.def.objName[o];
    if (this.def.objProps[o] & TOGGLEABLE) return s & IS_ON ? `This ${n} is on.` : `This ${n} is off.`;
    if (s & IS_CLEAN && s & IS_HOT) return `This is a hot and clean ${n}.`;
    if (s & IS_CLEAN && s & IS_COOL) return `This is a cool and clean ${n}.`;
    if (s & IS_HOT) return `This is a hot ${n}.`;
    if (s & IS_CLEAN) return `This is a clean ${n}.`;
    if (s & IS_COOL) return `This is a cold ${n}.`;
    return `There's nothing special about ${n}.`;
  }

  /** Does object o satisfy the goal's modifier (clean, hot or cool)? */
  private modifierOk(o: number): boolean {
    switch (this.def.goal.kind) {
      case TaskKind.PickCleanThenPlace:
        return (this.objState[o] & IS_CLEAN) !== 0;
      case TaskKind.PickHeatThenPlace:
        return (this.objState[o] & IS_HOT) !== 0;
      case TaskKind.PickCoolThenPlace:
        return (this.objState[o] & IS_COOL) !== 0;
      default:
        return true;
    }
  }

  /** Goal objects in receptacle r that count towards the goal. */
  private satisfiedIn(r: number): number {
    const g = this.def.goal;
    if (this.def.recType[r] !== g.destType) return 0;
    let n = 0;
    for (const o of this.contents[r]) if (this.def.objType[o] === g.objType && this.modifierOk(o)) n++;
    return n;
  }

  private checkPlaced(): void {
    const g = this.def.goal;
    if (g.kind === TaskKind.LookAtObjInLight) return;
    const need = g.kind === TaskKind.PickTwoObjAndPlace ? 2 : 1;
    for (let r = 0; r < this.def.nRec; r++) {
      if (this.satisfiedIn(r) >= need) {
        this.won = true;
        return;
      }
    }
  }

  /** look_at_obj_in_light: holding the object where a lamp of the named type is on. */
  private checkLight(): void {
    const def = this.def;
    if (this.held < 0 || def.objType[this.held] !== def.goal.objType) return;
    if (this.litLampHere() >= 0) this.won = true;
  }

  private litLampHere(): number {
    const def = this.def;
    for (let o = 0; o < def.nObj; o++) {
      if (def.objType[o] === def.goal.lampType && this.objState[o] & IS_ON && this.lampHere(o)) return o;
    }
    return -1;
  }

  /** A fresh array each call (building it costs about what copying a cached one would). */
  admissibleActions(): string[] {
    if (!this.def || this.done) return [];
    return this.buildAdmissible();
  }

  // Built in sorted order (the order TextWorld lists them), verb by verb:
  // clean < close < cool < examine < go to < heat < inventory < look < open < put < take < use.
  private buildAdmissible(): string[] {
    const def = this.def;
    const loc = this.loc;
    const held = this.held;
    const out: string[] = [];
    const atRec = loc >= 0;
    const rg = atRec ? def.recGid[loc] : -1;
    const og = held >= 0 ? def.objGid[held] : -1;
    const app = atRec ? def.recAppliance[loc] : Appliance.None;
    const heldProps = held >= 0 ? def.objProps[held] : 0;
    if (held >= 0 && app === Appliance.Clean && heldProps & CLEANABLE) out.push(cleanCmd(og, rg));
    if (atRec && def.recOpenable[loc] && this.recOpen[loc]) out.push(CLOSE[rg]);
    if (held >= 0 && app === Appliance.Cool && heldProps & COOLABLE) out.push(coolCmd(og, rg));
    if (atRec && held >= 0) {
      const er = EXAMINE_REC[rg];
      const eo = EXAMINE_OBJ[og];
      if (er < eo) out.push(er, eo);
      else out.push(eo, er);
    } else if (atRec) out.push(EXAMINE_REC[rg]);
    else if (held >= 0) out.push(EXAMINE_OBJ[og]);
    const sorted = def.recSorted;
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i];
      if (r !== loc) out.push(GO_TO[def.recGid[r]]);
    }
    if (held >= 0 && app === Appliance.Heat && heldProps & HEATABLE) out.push(heatCmd(og, rg));
    out.push('inventory', 'look');
    if (atRec && def.recOpenable[loc] && !this.recOpen[loc]) out.push(OPEN[rg]);
    if (atRec && this.reachable(loc)) {
      if (held >= 0) out.push(putCmd(og, rg));
      else {
        const list = this.contents[loc];
        for (let i = 0; i < list.length; i++) {
          const o = list[i];
          if (def.objProps[o] & PICKUPABLE) out.push(takeCmd(def.objGid[o], rg));
        }
      }
    }
    if (atRec) {
      // Lamps in the receptacle (when reachable) and beside it, in id order.
      const inside = this.reachable(loc) ? this.contents[loc] : EMPTY;
      const near = this.beside[loc];
      let i = 0;
      let j = 0;
      while (i < inside.length || j < near.length) {
        let o: number;
        if (j >= near.length || (i < inside.length && inside[i] < near[j])) o = inside[i++];
        else o = near[j++];
        if (def.objProps[o] & TOGGLEABLE) out.push(USE[def.objGid[o]]);
      }
    }
    return out;
  }

  /**
   * After a valid step the agent has seen what is at its receptacle (the arrival, open and
   * examine texts list it; later texts do not contradict it) and what it holds. Only for
   * plausibleActions(): nothing the environment prints or decides depends on it.
   */
  private markSeen(): void {
    const loc = this.loc;
    if (this.held >= 0) this.seenObj[this.held] = 1;
    if (loc < 0) return;
    if (this.reachable(loc)) {
      for (const o of this.contents[loc]) {
        this.seenObj[o] = 1;
        this.seenAt[o] = loc;
      }
    }
    for (const o of this.beside[loc]) {
      this.seenObj[o] = 1;
      this.seenAt[o] = loc;
    }
  }

  /**
   * Well-formed commands that do nothing here (Env.plausibleActions): over the receptacles (all
   * named in the first observation), the objects seen so far and those of the types the goal
   * names (its object, its lamp), the mistakes of a free-writing
   * agent: go to where it already is; take a seen object from where it was seen while holding
   * something or from afar, or a goal object from the wrong receptacle; put, examine, heat, cool
   * or clean what it does not hold; put or heat/cool/clean the held object away from the
   * destination or appliance; open what is open, close what is closed, open from afar; switch on
   * a lamp that is not here. Commands are valid exactly when admissible, so any of these that
   * happens to be admissible now is left out.
   */
  plausibleActions(): string[] {
    if (!this.def || this.done) return [];
    const def = this.def;
    const g = def.goal;
    const loc = this.loc;
    const held = this.held;
    const out = new Set<string>();
    const app = applianceFor(g.kind);
    const treat = (o: number, r: number) => out.add(app === Appliance.Heat ? heatCmd(def.objGid[o], def.recGid[r]) : app === Appliance.Cool ? coolCmd(def.objGid[o], def.recGid[r]) : cleanCmd(def.objGid[o], def.recGid[r]));
    // The receptacles the goal points at: its destinations and the appliance it needs.
    const goalRecs: number[] = [];
    for (let r = 0; r < def.nRec; r++) {
      if (def.recType[r] === g.destType || (app !== Appliance.None && def.recAppliance[r] === app)) goalRecs.push(r);
    }
    if (loc >= 0) {
      out.add(GO_TO[def.recGid[loc]]);
      if (def.recOpenable[loc]) out.add(this.recOpen[loc] ? OPEN[def.recGid[loc]] : CLOSE[def.recGid[loc]]);
    }
    for (const r of goalRecs) if (r !== loc && def.recOpenable[r]) out.add(OPEN[def.recGid[r]]);
    for (let o = 0; o < def.nObj; o++) {
      const goalObj = def.objType[o] === g.objType;
      // The goal names the types of its object and lamp, so those count as met before they are seen.
      if (o === held || !(this.seenObj[o] || goalObj || def.objType[o] === g.lampType)) continue;
      const og = def.objGid[o];
      const r = this.seenAt[o];
      if (def.objProps[o] & TOGGLEABLE) out.add(USE[og]);
      if (def.objProps[o] & PICKUPABLE && !def.lampNextTo[o] && r >= 0) out.add(takeCmd(og, def.recGid[r]));
      if (!goalObj) continue;
      out.add(EXAMINE_OBJ[og]);
      if (loc >= 0 && loc !== r) out.add(takeCmd(og, def.recGid[loc]));
      if (held < 0) {
        if (loc >= 0) out.add(putCmd(og, def.recGid[loc]));
        if (app !== Appliance.None) for (const a of goalRecs) if (def.recAppliance[a] === app) treat(o, a);
      }
    }
    if (held >= 0) {
      for (const r of goalRecs) {
        out.add(putCmd(def.objGid[held], def.recGid[r]));
        if (app !== Appliance.None && def.recAppliance[r] === app) treat(held, r);
      }
    }
    for (const a of this.buildAdmissible()) out.delete(a);
    return [...out].sort();
  }

  /**
   * The agent's place, what it holds, every object's place and state, and every open door. Two
   * paths to the same world give the same key; the step count is not part of it.
   */
  stateKey(): string {
    if (!this.def) return '';
    const def = this.def;
    const codes: number[] = new Array(2 + 2 * def.nObj + def.nRec);
    let k = 0;
    codes[k++] = 48 + this.loc + 2;
    codes[k++] = 48 + this.held + 2;
    for (let o = 0; o < def.nObj; o++) {
      codes[k++] = 48 + this.objLoc[o] + 2;
      codes[k++] = 48 + this.objState[o];
    }
    for (let r = 0; r < def.nRec; r++) codes[k++] = 48 + this.recOpen[r];
    return def.id + '|' + String.fromCharCode.apply(null, codes) + (this.done ? (this.won ? '|won' : '|over') : '');
  }

  /**
   * A hand-coded expert in the spirit of ALFWorld's HandCodedTWAgent: it reads the world state
   * and returns the next command of a shortest plan from wherever the agent is now, so it also
   * recovers after someone else has been acting.
   */
  expert(): string | null {
    if (!this.def || this.done) return null;
    const def = this.def;
    const g = def.goal;
    const held = this.held;

    if (g.kind === TaskKind.LookAtObjInLight) {
      if (held < 0 || def.objType[held] !== g.objType) {
        if (held >= 0) return this.putDown();
        return this.fetch(this.firstOfType(g.objType, -1));
      }
      let lamp = -1;
      for (let o = 0; o < def.nObj; o++) {
        if (def.objType[o] !== g.lampType) continue;
        if (lamp < 0 || (this.objState[o] & IS_ON && !(this.objState[lamp] & IS_ON))) lamp = o;
      }
      const where = this.objLoc[lamp];
      if (this.loc !== where) return GO_TO[def.recGid[where]];
      if (!this.lampHere(lamp)) return OPEN[def.recGid[where]];
      return USE[def.objGid[lamp]];
    }

    // Placing tasks. For two objects, aim at the destination that already holds the most.
    let dest = -1;
    let best = -1;
    for (let r = 0; r < def.nRec; r++) {
      if (def.recType[r] !== g.destType) continue;
      const n = g.kind === TaskKind.PickTwoObjAndPlace ? this.satisfiedIn(r) : 0;
      if (n > best) {
        best = n;
        dest = r;
      }
    }
    if (held >= 0) {
      if (def.objType[held] !== g.objType) return this.putDown();
      const app = applianceFor(g.kind);
      if (app !== Appliance.None && !this.modifierOk(held)) {
        let target = -1;
        for (let r = 0; r < def.nRec; r++) {
          if (def.recAppliance[r] === app) {
            target = r;
            break;
          }
        }
        if (this.loc !== target) return GO_TO[def.recGid[target]];
        const og = def.objGid[held];
        const rg = def.recGid[target];
        return app === Appliance.Heat ? heatCmd(og, rg) : app === Appliance.Cool ? coolCmd(og, rg) : cleanCmd(og, rg);
      }
      if (this.loc !== dest) return GO_TO[def.recGid[dest]];
      if (!this.reachable(dest)) return OPEN[def.recGid[dest]];
      return putCmd(def.objGid[held], def.recGid[dest]);
    }
    // Fetch a goal object that is not already counted in the destination.
    const counted = g.kind === TaskKind.PickTwoObjAndPlace ? dest : -1;
    return this.fetch(this.firstOfType(g.objType, counted));
  }

  /** Lowest-id object of a type, skipping ones that already count in receptacle `skipRec`. */
  private firstOfType(type: number, skipRec: number): number {
    const def = this.def;
    for (let o = 0; o < def.nObj; o++) {
      if (def.objType[o] !== type) continue;
      if (skipRec >= 0 && this.objLoc[o] === skipRec && this.modifierOk(o)) continue;
      return o;
    }
    throw new Error(`household ${def.id}: no object of type ${type} left for the expert`);
  }

  private fetch(o: number): string {
    const def = this.def;
    const r = this.objLoc[o];
    if (this.loc !== r) return GO_TO[def.recGid[r]];
    if (!this.reachable(r)) return OPEN[def.recGid[r]];
    return takeCmd(def.objGid[o], def.recGid[r]);
  }

  /** Put the held object down where the agent stands (opening the receptacle first if needed). */
  private putDown(): string {
    const r = this.loc;
    if (!this.reachable(r)) return OPEN[this.def.recGid[r]];
    return putCmd(this.def.objGid[this.held], this.def.recGid[r]);
  }

  /** Where each object is: a receptacle id, -2 when held. For tests and the playground. */
  snapshot(): { loc: number; held: number; objLoc: number[]; objState: number[]; recOpen: number[] } {
    return {
      loc: this.loc,
      held: this.held,
      objLoc: Array.from(this.objLoc),
      objState: Array.from(this.objState),
      recOpen: Array.from(this.recOpen),
    };
  }
}

const EMPTY: number[] = [];

function applianceFor(kind: TaskKind): Appliance {
  if (kind === TaskKind.PickCleanThenPlace) return Appliance.Clean;
  if (kind === TaskKind.PickHeatThenPlace) return Appliance.Heat;
  if (kind === TaskKind.PickCoolThenPlace) return Appliance.Cool;
  return Appliance.None;
}
