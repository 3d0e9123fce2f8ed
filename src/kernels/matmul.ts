// Matrix multiplication with a fused bias + activation epilogue, in the three layouts backprop
// needs, dispatched to the fastest applicable WGSL variant.
//
//   nn:  C[M×N] = act(A[M×K] · B[K×N] + bias)        forward
//   nt:  C[M×N] = act(A[M×K] · B[N×K]ᵀ + bias)       gradient w.r.t. the input
//   tn:  C[M×N] = act(A[K×M]ᵀ · B[K×N] + bias)       gradient w.r.t. the weights
//
// With `accumulate`, C += product instead (bias and activation are not applied).

import type { Gpu, Tensor } from '../gpu';
import { defineShaderConstants, shapeString, type Constants } from '../gpu';
import { adapterKey, timeCandidates } from './autotune';
import { assertFits } from './grid';
import { ACTIVATION_CODE, type Activation } from './activation';
import { loadTuneStore, type TuneStore } from './tune-store';

export type MatmulForm = 'nn' | 'nt' | 'tn';
export type MatmulVariant = 'regblock' | 'tiled' | 'gemv' | 'naive';
export { ACTIVATION_CODE, type Activation };

export interface MatmulDims {
  M: number;
  N: number;
  K: number;
  form: MatmulForm;
}

export interface MatmulOptions {
  form?: MatmulForm;
  bias?: Tensor;
  activation?: Activation;
  accumulate?: boolean;
  /** Force a variant ('auto' = the autotuner's pick, the default). */
  variant?: MatmulVariant | 'auto';
  /** Write into this tensor instead of allocating one. Required with `accumulate`. */
  out?: Tensor<'f32'>;
}

/** matmul-regblock.wgsl: TM×TN outputs per invocation, WG×WG invocations (the shader is written out for 8×16). */
const REG = { TM: 8, TN: 16, WG: 8 } as const;
/** matmul-tiled.wgsl: TR×TC outputs per invocation (a mat4x4f), WG×WG invocations, slabs TILE_K deep. */
const TILED = { TR: 4, TC: 4, WG: 16, TILE_K: 16 } as const;
const TILE = TILED.WG * TILED.TR;                 // the square of C one tiled workgroup computes
const GEMV_WG = 64;
const NAIVE_WG = 16;
const VEC4 = 4;
if (TILED.TR !== VEC4 || TILED.TC !== VEC4 || TILED.TC * TILED.WG !== TILE || TILED.WG ** 2 !== (TILED.TILE_K * TILE) / VEC4 || REG.TN % VEC4 !== 0) {
  throw new Error('matmul tile sizes do not match the layouts the shaders are written for');
}
defineShaderConstants('matmul.layout', {
  REG_TM: REG.TM, REG_TN4: REG.TN / VEC4, REG_WG: REG.WG,
  TILED_TR: TILED.TR, TILED_TC: TILED.TC, TILED_WG: TILED.WG, TILED_TILE: TILE, TILED_TILE_K: TILED.TILE_K,
});

/** Reads M, N, K from the operand shapes for a layout; throws a clear error on a mismatch. */
export function matmulDims(a: Tensor, b: Tensor, form: MatmulForm = 'nn'): MatmulDims {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new RangeError(`matmul expects 2-D operands, got A${shapeString(a.shape)} and B${shapeString(b.shape)}`);
  }
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new TypeError('matmul operands must be f32');
  const [a0, a1] = a.shape; const [b0, b1] = b.shape;
  const [M, Ka] = form === 'tn' ? [a1, a0] : [a0, a1];
  const [Kb, N] = form === 'nt' ? [b1, b0] : [b0, b1];
  if (Ka !== Kb) {
    throw new RangeError(`matmul(${form}): inner dimensions differ: A${shapeString(a.shape)} gives K=${Ka}, B${shapeString(b.shape)} gives K=${Kb}`);
  }
  return { M, N, K: Ka, form };
}

/** Which variants can compute this shape. */
export function applicableVariants(d: MatmulDims): MatmulVariant[] {
  const out: MatmulVariant[] = [];
  const reg = d.form === 'nn' ? d.K % 4 === 0 && d.N % 4 === 0
    : d.form === 'nt' ? d.K % 4 === 0
    : d.M % 4 === 0 && d.N % 4 === 0;
  if (reg && d.K > 0) out.push('regblock');
  out.push('tiled');
  if (d.M === 1) out.push('gemv');
  if (d.form === 'nn') out.push('naive');
  return out;
}

/** Strides that express each layout for the strided kernels (tiled, gemv). */
function strides(d: MatmulDims): [number, number, number, number] {
  const sA = d.form === 'tn' ? [1, d.M] : [d.K, 1];
  const sB = d.form === 'nt' ? [1, d.K] : [d.N, 1];
  return [sA[0], sA[1], sB[0], sB[1]];
}

/** Shape class for the autotuner: layout, log2 size buckets, and which variants apply. */
export function shapeClass(d: MatmulDims): string {
  const b = (n: number) => Math.max(0, Math.ceil(Math.log2(Math.max(1, n))));
  return `${d.form}:m${d.M === 1 ? 'one' : b(d.M)}:n${b(d.N)}:k${b(d.K)}:${applicableVariants(d).join('+')}`;
}

interface Epilogue { activation: Activation; hasBias: boolean; accumulate: boolean }

/** The sizes of one recorded product; each at most the prepared capacity's. */
export type MatmulSize = Pick<MatmulDims, 'M' | 'N' | 'K'>;

/**
 * A matmul for one layout and epilogue with its pipeline compiled, for products up to a capacity
 * (`dims`). `record` is synchronous, so a training step can record many of these into one command
 * encoder; each record writes its actual M, N, K into the uniforms and sizes the grid from them.
 * Every operand is row-major with the varying dimension outermost, so a smaller product reads
 * and writes a prefix of capacity-sized buffers.
 */
export class PreparedMatmul {
  private constructor(
    private readonly gpu: Gpu,
    readonly dims: MatmulDims,
    readonly variant: MatmulVariant,
    private readonly pipeline: GPUComputePipeline,
    private readonly epi: Epilogue,
    private readonly dummyBias: Tensor,
  ) {}

  static async create(gpu: Gpu, dims: MatmulDims, variant: MatmulVariant, epi: Epilogue): Promise<PreparedMatmul> {
    if (!applicableVariants(dims).includes(variant)) {
      throw new RangeError(`matmul variant "${variant}" cannot compute ${dims.form} M=${dims.M} N=${dims.N} K=${dims.K} (applicable: ${applicableVariants(dims).join(', ')})`);
    }
    if (variant === 'naive' && (epi.hasBias || epi.accumulate || epi.activation !== 'identity')) {
      throw new RangeError('the naive matmul has no epilogue (bias, activation, accumulate)');
    }
    const constants: Constants = variant === 'naive' ? { WG: NAIVE_WG } : {
      ACTIVATION: ACTIVATION_CODE[epi.activation],
      HAS_BIAS: epi.hasBias ? 1 : 0,
      ACCUMULATE: epi.accumulate ? 1 : 0,
      ...(variant === 'gemv' ? { WG: GEMV_WG } : {}),
    };
    const spec = variant === 'regblock' ? { shader: 'matmul-regblock', entryPoint: dims.form, constants }
      : { shader: `matmul-${variant}`, constants };
    const pipeline = await gpu.pipeline(spec);
    return new PreparedMatmul(gpu, dims, variant, pipeline, epi, dummyBiasFor(gpu));
  }

  /**
   * Records C = act(A·B + bias) (or C += A·B) into the gpu's current encoder. Without `size`, M, N
   * and K come from A's and B's 2-D shapes; with it, the operands only need to hold that many
   * elements (capacity buffers).
   */
  record(a: Tensor, b: Tensor, c: Tensor, bias?: Tensor, size?: MatmulSize): void {
    const cap = this.dims;
    const d: MatmulDims = size ? { ...size, form: cap.form } : matmulDims(a, b, cap.form);
    for (const k of ['M', 'N', 'K'] as const) {
      if (!Number.isInteger(d[k]) || d[k] < 0 || d[k] > cap[k]) {
        throw new RangeError(`matmul prepared for M≤${cap.M} N≤${cap.N} K≤${cap.K}, got M=${d.M} N=${d.N} K=${d.K}`);
      }
    }
    if (!applicableVariants(d).includes(this.variant)) throw new RangeError(`matmul variant "${this.variant}" cannot compute ${d.form} M=${d.M} N=${d.N} K=${d.K}`);
    assertFits(a, d.M * d.K, 'matmul A');
    assertFits(b, d.K * d.N, 'matmul B');
    assertFits(c, d.M * d.N, 'matmul output C');
    if (this.epi.hasBias) {
      if (!bias) throw new RangeError('this matmul was prepared with a bias; none given');
      assertFits(bias, d.N, 'matmul bias');
    }
    const biasT = bias ?? this.dummyBias;
    const g = this.gpu;
    const label = `matmul-${this.variant}-${d.form}`;
    switch (this.variant) {
      case 'regblock': {
        const u = g.uniforms([d.M, d.N, d.K, 0]);
        const gx = Math.ceil(d.N / REG.TN / REG.WG);
        const gy = Math.ceil(d.M / REG.TM / REG.WG);
        g.dispatch(this.pipeline, [u, a, b, biasT, c], [gx, gy], { label });
        break;
      }
      case 'tiled': {
        const u = g.uniforms([d.M, d.N, d.K, ...strides(d), 0]);
        g.dispatch(this.pipeline, [u, a, b, biasT, c], [Math.ceil(d.N / TILE), Math.ceil(d.M / TILE)], { label });
        break;
      }
      case 'gemv': {
        const [, sAk, sBk, sBn] = strides(d);
        // M = 1: x is A's only row (nn/nt) or column (tn); either way x[k] = A[k·sAk].
        const u = g.uniforms([d.M, d.N, d.K, 0, d.form === 'tn' ? 1 : sAk, sBk, sBn, 0]);
        g.dispatch(this.pipeline, [u, a, b, biasT, c], [Math.ceil(d.N / GEMV_WG)], { label });
        break;
      }
      case 'naive': {
        const u = g.uniforms([d.M, d.N, d.K, 0]);
        g.dispatch(this.pipeline, [u, a, b, c], [Math.ceil(d.N / NAIVE_WG), Math.ceil(d.M / NAIVE_WG)], { label });
        break;
      }
    }
  }
}

const dummies = new WeakMap<Gpu, Tensor>();
function dummyBiasFor(gpu: Gpu): Tensor {
  let t = dummies.get(gpu);
  if (!t) dummies.set(gpu, (t = gpu.zeros([4], 'f32', 'no-bias')));
  return t;
}

/** The autotuner's memory (tests and the bench read it); loaded once per process or worker. */
export function tuneStore(): Promise<TuneStore> {
  return loadTuneStore();
}

const inflight = new Map<string, Promise<MatmulVariant>>();
// Tuning sessions on one device run one after another: timings are taken by waiting for the queue,
// so two sessions timing at once (a trainer preparing its matmuls with Promise.all) would each
// measure the other's work too.
const tuningQueue = new WeakMap<Gpu, Promise<unknown>>();

/**
 * On software adapters (SwiftShader, llvmpipe) workgroup barriers run invocations as coroutines,
 * measured ~4× slower; the tiled kernel must then win clearly, not by timer noise, to be chosen.
 */
const SOFTWARE_TILED_PENALTY = 1.25;

/** The variant the autotuner picks for these dims (timing the candidates on first use). */
export async function tunedVariant(gpu: Gpu, dims: MatmulDims): Promise<MatmulVariant> {
  const candidates = applicableVariants(dims).filter((v): v is Exclude<MatmulVariant, 'naive'> => v !== 'naive');
  if (candidates.length === 1) return candidates[0];
  const key = `matmul:${adapterKey(gpu)}:${shapeClass(dims)}`;
  const store = await loadTuneStore();
  const known = store.get(key) as MatmulVariant | undefined;
  if (known && (candidates as MatmulVariant[]).includes(known)) return known;
  let p = inflight.get(key);
  if (!p) {
    const previous = tuningQueue.get(gpu) ?? Promise.resolve();
    p = previous.catch(() => undefined).then(async () => {
      const a = gpu.zeros(dims.form === 'tn' ? [dims.K, dims.M] : [dims.M, dims.K]);
      const b = gpu.zeros(dims.form === 'nt' ? [dims.N, dims.K] : [dims.K, dims.N]);
      const c = gpu.empty([dims.M, dims.N]);
      const epi: Epilogue = { activation: 'identity', hasBias: false, accumulate: false };
      const prepared = await Promise.all(candidates.map((v) => PreparedMatmul.create(gpu, dims, v, epi)));
      const weights = gpu.info.isSoftware ? { tiled: SOFTWARE_TILED_PENALTY } : undefined;
      const result = await timeCandidates(gpu, prepared.map((p) => ({ name: p.variant, record: () => p.record(a, b, c) })), 3, weights);
      gpu.release(a, b, c);
      store.set(key, result.choice);
      return result.choice as MatmulVariant;
    });
    tuningQueue.set(gpu, p);
    inflight.set(key, p);
    p.then(() => inflight.delete(key), () => inflight.delete(key));
  }
  return p;
}

/**
 * Prepares a matmul for products up to these dims, resolving 'auto' through the autotuner (which
 * times the candidates at these dims, once per shape class). `hasBias` (or a `bias` tensor) says
 * that records will pass a bias.
 */
export async function prepareMatmul(gpu: Gpu, dims: MatmulDims, options: Omit<MatmulOptions, 'out' | 'form'> & { hasBias?: boolean } = {}): Promise<PreparedMatmul> {
  const variant = !options.variant || options.variant === 'auto' ? await tunedVariant(gpu, dims) : options.variant;
  return PreparedMatmul.create(gpu, dims, variant, {
    activation: options.activation ?? 'identity',
    hasBias: !!options.bias || !!options.hasBias,
    accumulate: !!options.accumulate,
  });
}

/** One-shot convenience: records C = act(A·B + bias) and returns C (not yet read back). */
export async function matmul(gpu: Gpu, a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor<'f32'>> {
  const dims = matmulDims(a, b, options.form ?? 'nn');
  if (options.accumulate && !options.out) throw new RangeError('matmul with accumulate needs `out`');
  const op = await prepareMatmul(gpu, dims, options);
  const c = (options.out ?? gpu.empty([dims.M, dims.N])) as Tensor<'f32'>;
  op.record(a, b, c, options.bias);
  return c;
}
