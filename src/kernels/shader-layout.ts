// Helpers for the layout constants each kernel module declares once and emits into its shaders
// (src/gpu/shader-source.ts `defineShaderConstants`): named columns of a TS object become WGSL
// `const`s with a prefix, so `{ lpOld: 0 }` under "BATCH" is `const BATCH_LP_OLD: u32 = 0u;`.

/** camelCase or snake_case → UPPER_SNAKE ("lpOld" → "LP_OLD", "pg_loss" → "PG_LOSS"). */
export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `{ a: 0, bC: 1 }` with prefix "P" → `{ P_A: 0, P_B_C: 1 }`. */
export function slotConstants(prefix: string, slots: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(slots).map(([k, v]) => [`${prefix}_${upperSnake(k)}`, v]));
}

/** Names in order → their indices: `['x', 'y']` → `{ x: 0, y: 1 }`. */
export function indexOf<const K extends string>(names: readonly K[]): Readonly<Record<K, number>> {
  return Object.fromEntries(names.map((k, i) => [k, i])) as Record<K, number>;
}

/** Throws unless the slots are distinct and lie in [0, stride): a layout that overlaps is a bug. */
export function checkSlots(what: string, slots: Readonly<Record<string, number>>, stride: number): void {
  const seen = new Map<number, string>();
  for (const [k, v] of Object.entries(slots)) {
    if (!Number.isInteger(v) || v < 0 || v >= stride) throw new RangeError(`${what}: slot ${k} = ${v} is outside 0…${stride - 1}`);
    const other = seen.get(v);
    if (other !== undefined) throw new RangeError(`${what}: slots ${other} and ${k} are both ${v}`);
    seen.set(v, k);
  }
}
