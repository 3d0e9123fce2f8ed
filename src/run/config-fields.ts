// The vocabulary of declarative config fields: what a field is (kind, range, default, label), how
// it validates (a valibot schema built from it), and how it reads from and writes to a URL query
// value. The run config (config.ts) is a tree of these, and the lab's URL state can list them
// beside its own parameters, so one declaration drives validation, forms and links.

import * as v from 'valibot';

interface FieldBase {
  label: string;
  /** One line for a tooltip or the CLI's help. */
  help?: string;
  /** Lives in the form's "advanced" section. */
  advanced?: boolean;
}

export interface IntField extends FieldBase { kind: 'int'; min: number; max: number; default: number }
export interface NumberField extends FieldBase {
  kind: 'number';
  min: number;
  max: number;
  /** The bound itself is excluded: (min, …] or […, max). */
  minOpen?: boolean;
  maxOpen?: boolean;
  /** A slider should move on a log scale (learning rates). */
  log?: boolean;
  default: number;
}
export interface ChoiceField<T extends string = string> extends FieldBase { kind: 'choice'; options: readonly T[]; default: T }
export interface ChoicesField<T extends string = string> extends FieldBase { kind: 'choices'; options: readonly T[]; default: readonly T[] }
export interface FlagField extends FieldBase { kind: 'flag'; default: boolean }
export interface TextField extends FieldBase { kind: 'text'; pattern: RegExp; maxLength: number; describe: string; default: string }

export type Field = IntField | NumberField | ChoiceField | ChoicesField | FlagField | TextField;

/** A tree of fields: sections hold fields or further sections. */
export interface FieldTree { readonly [key: string]: Field | FieldTree }

type ValueOf<F> =
  F extends ChoiceField<infer T> ? T :
  F extends ChoicesField<infer T> ? T[] :
  F extends FlagField ? boolean :
  F extends TextField ? string :
  F extends IntField | NumberField ? number : never;

/** The value type a field tree describes. */
export type ValuesOf<S> = { -readonly [K in keyof S]: S[K] extends { kind: string } ? ValueOf<S[K]> : ValuesOf<S[K]> };

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

// ---- builders (keep literal option types) ----------------------------------------------------

type Extra = Omit<FieldBase, 'label'>;
export const int = (label: string, min: number, max: number, def: number, extra: Extra = {}): IntField => ({ kind: 'int', label, min, max, default: def, ...extra });
export const num = (label: string, min: number, max: number, def: number, extra: Extra & Pick<NumberField, 'minOpen' | 'maxOpen' | 'log'> = {}): NumberField =>
  ({ kind: 'number', label, min, max, default: def, ...extra });
export const choice = <const T extends string>(label: string, options: readonly T[], def: NoInfer<T>, extra: Extra = {}): ChoiceField<T> =>
  ({ kind: 'choice', label, options, default: def, ...extra });
export const choices = <const T extends string>(label: string, options: readonly T[], def: readonly NoInfer<T>[], extra: Extra = {}): ChoicesField<T> =>
  ({ kind: 'choices', label, options, default: def, ...extra });
export const flag = (label: string, def: boolean, extra: Extra = {}): FlagField => ({ kind: 'flag', label, default: def, ...extra });
export const text = (label: string, pattern: RegExp, maxLength: number, describe: string, def: string, extra: Extra = {}): TextField =>
  ({ kind: 'text', label, pattern, maxLength, describe, default: def, ...extra });

export function isField(x: Field | FieldTree): x is Field {
  return typeof (x as Field).kind === 'string' && typeof (x as Field).label === 'string';
}

// ---- what a field accepts, in words ----------------------------------------------------------

export function rangeText(f: IntField | NumberField): string {
  const open = f.kind === 'number' && f.minOpen ? '(' : '[';
  const close = f.kind === 'number' && f.maxOpen ? ')' : ']';
  return `${open}${f.min}, ${f.max}${close}`;
}

/** "an integer in [1, 64]", "one of k1, k3, exact", … */
export function expectation(f: Field): string {
  switch (f.kind) {
    case 'int': return `an integer in ${rangeText(f)}`;
    case 'number': return `a number in ${rangeText(f)}`;
    case 'choice': return `one of ${f.options.join(', ')}`;
    case 'choices': return `a list of distinct values from ${f.options.join(', ')}`;
    case 'flag': return 'true or false';
    case 'text': return `${f.describe} (at most ${f.maxLength} characters)`;
  }
}

function show(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  try { return JSON.stringify(x); } catch { return typeof x; }
}

// ---- valibot schemas ---------------------------------------------------------------------------

/** The schema of one field, its default applied when the value is missing. */
export function fieldSchema(path: string, f: Field): v.GenericSchema<unknown, unknown> {
  // One message per field, whichever check fails: the field and what it accepts.
  const message = (issue: v.BaseIssue<unknown>) => `${path} must be ${expectation(f)}, got ${show(issue.input)}`;
  let s: v.GenericSchema<unknown, unknown>;
  switch (f.kind) {
    case 'int':
      s = v.pipe(v.number(message), v.integer(message), v.minValue(f.min, message), v.maxValue(f.max, message));
      break;
    case 'number':
      s = v.pipe(
        v.number(message), v.finite(message),
        f.minOpen ? v.gtValue(f.min, message) : v.minValue(f.min, message),
        f.maxOpen ? v.ltValue(f.max, message) : v.maxValue(f.max, message),
      );
      break;
    case 'choice':
      s = v.picklist(f.options, message);
      break;
    case 'choices': {
      // The whole list is reported, not the one bad element, so the message shows what was sent.
      const options = new Set<string>(f.options);
      s = v.pipe(
        v.array(v.string(message), message),
        v.check((xs) => xs.every((x) => options.has(x)) && new Set(xs).size === xs.length, message),
      );
      break;
    }
    case 'flag':
      s = v.boolean(message);
      break;
    case 'text':
      s = v.pipe(v.string(message), v.maxLength(f.maxLength, message), v.regex(f.pattern, message));
      break;
  }
  const def = f.default;
  return v.optional(s, () => (Array.isArray(def) ? [...def] : def));
}

/** A strict object schema for a tree: unknown keys are errors naming the key. */
export function treeSchema(tree: FieldTree, prefix = ''): v.GenericSchema<unknown, unknown> {
  const entries: Record<string, v.GenericSchema<unknown, unknown>> = {};
  for (const [key, node] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    entries[key] = isField(node) ? fieldSchema(path, node) : v.optional(treeSchema(node, path), () => ({}));
  }
  const notObject = (issue: v.BaseIssue<unknown>) => `${prefix || 'the config'} must be an object, got ${show(issue.input)}`;
  const message = (issue: v.BaseIssue<unknown>) => {
    // The issue's path is still local here (parents prefix it later), so the key is its last item.
    const key = issue.path?.[issue.path.length - 1]?.key;
    if (issue.expected === 'never' && key !== undefined) return `unknown field ${prefix ? `${prefix}.` : ''}${String(key)}`;
    return notObject(issue);
  };
  // valibot's object schemas accept arrays; a list where a section belongs is an error too.
  const isRecord = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  return v.pipe(v.custom<Record<string, unknown>>(isRecord, notObject), v.strictObject(entries, message));
}

// ---- flat views --------------------------------------------------------------------------------

/** Every field with its dotted path, in declaration order. */
export function flattenTree(tree: FieldTree, prefix = ''): { path: string; field: Field }[] {
  return Object.entries(tree).flatMap(([key, node]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isField(node) ? [{ path, field: node }] : flattenTree(node, path);
  });
}

/** The defaults of a tree as a fresh value. */
export function defaultsOf(tree: FieldTree): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).map(([k, node]) => [
    k, isField(node) ? (Array.isArray(node.default) ? [...node.default] : node.default) : defaultsOf(node),
  ]));
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

// ---- URL query values --------------------------------------------------------------------------

/** A field's value as a query value. Numbers use JS's shortest round-trip form. */
export function toQueryValue(f: Field, value: unknown): string {
  if (f.kind === 'choices') return (value as string[]).join(',');
  return String(value);
}

/**
 * A query value read back into the field's type. What does not read as the type is passed on as
 * the raw string, so the schema rejects it with the text the user typed.
 */
export function fromQueryValue(f: Field, raw: string): unknown {
  switch (f.kind) {
    case 'int':
    case 'number': {
      const x = raw.trim() === '' ? NaN : Number(raw);
      return Number.isNaN(x) ? raw : x;
    }
    case 'flag':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'choices':
      return raw === '' ? [] : raw.split(',');
    default:
      return raw;
  }
}
