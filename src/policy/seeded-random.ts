// A small seeded generator for weights and projections that must be identical on every
// machine and every run (the bundled model's bytes are committed, so Math.random is out).

/** splitmix32-style integer stream; 32-bit state is plenty for initialising weights. */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Uniform floats in [0, 1). */
export function seededUniform(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4294967296;
}

/** Standard normal samples (Box–Muller; the second value of each pair is kept for the next call). */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // 1 - u keeps the log argument in (0, 1].
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
