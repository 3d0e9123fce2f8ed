// Float64 references for the heads: the same networks, composed from the kernel references,
// with parameters taken by name from a packed host copy.

import type { Activation } from '../kernels/matmul';
import { activateRef } from '../kernels/matmul.ref';
import { activationGradRef, denseBackwardRef, denseForwardRef } from '../kernels/dense.ref';
import { PPO_BATCH_COL, PPO_BATCH_STRIDE, type PpoConfig } from '../kernels/ppo';
import { ppoStepRef } from '../kernels/ppo.ref';
import { segSoftmaxBackwardRef, segSoftmaxForwardRef } from '../kernels/segsoftmax.ref';
import { spaLossRef } from '../kernels/spa.ref';
import type { ParamSet } from './params';

export type HostParams = Map<string, Float64Array>;

export function hostParams(set: ParamSet, packed: ArrayLike<number>): HostParams {
  const out: HostParams = new Map();
  for (const e of set.layout()) out.set(e.name, Float64Array.from({ length: e.size }, (_, i) => packed[e.offset + i]));
  return out;
}

function get(p: HostParams, name: string): Float64Array {
  const v = p.get(name);
  if (!v) throw new Error(`reference: no parameter ${name}`);
  return v;
}

export function mlpRef(p: HostParams, prefix: string, sizes: number[], act: Activation, x: ArrayLike<number>, rows: number, outAct: Activation = 'identity'): Float64Array {
  let h: ArrayLike<number> = x;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    h = denseForwardRef(h, get(p, `${prefix}.layers.${i}.weight`), get(p, `${prefix}.layers.${i}.bias`), {
      rows, inDim: sizes[i], outDim: sizes[i + 1], activation: last ? outAct : act,
    }).y;
  }
  return Float64Array.from(h);
}

/** Pre-activations of the split first layer: Z[j] = ψ_j·W_ψ + b + φ_{s(j)}·W_φ. */
function pairFirstLayerRef(p: HostParams, prefix: string, spec: { stateDim: number; actionDim: number; hidden: number[] }, phi: ArrayLike<number>, psi: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array {
  const S = offsets.length - 1, N = offsets[S], h = spec.hidden[0];
  const hs = denseForwardRef(phi, get(p, `${prefix}.state_in.weight`), new Float64Array(h), { rows: S, inDim: spec.stateDim, outDim: h, activation: 'identity' }).z;
  const z = denseForwardRef(psi, get(p, `${prefix}.action_in.weight`), get(p, `${prefix}.in.bias`), { rows: N, inDim: spec.actionDim, outDim: h, activation: 'identity' }).z;
  for (let s = 0; s < S; s++) {
    for (let j = offsets[s]; j < offsets[s + 1]; j++) for (let c = 0; c < h; c++) z[j * h + c] += hs[s * h + c];
  }
  return z;
}

/** Scores of the split-first-layer MLP: f(φ·W_φ + ψ·W_ψ + b) through the trunk. */
export function pairMlpRef(
  p: HostParams, prefix: string, spec: { stateDim: number; actionDim: number; hidden: number[]; activation: Activation },
  phi: ArrayLike<number>, psi: ArrayLike<number>, offsets: ArrayLike<number>,
): Float64Array {
  const N = offsets[offsets.length - 1];
  const h1 = pairFirstLayerRef(p, prefix, spec, phi, psi, offsets).map((v) => activateRef(v, spec.activation));
  return mlpRef(p, `${prefix}.trunk`, [...spec.hidden, 1], spec.activation, h1, N);
}

/** Adds ∂L/∂θ of an MLP for dy = ∂L/∂output into `grads` (by name); returns ∂L/∂input. */
export function mlpBackwardRef(p: HostParams, prefix: string, sizes: number[], act: Activation, x: ArrayLike<number>, rows: number, dy: ArrayLike<number>, grads: HostParams, outAct: Activation = 'identity'): Float64Array {
  const inputs: ArrayLike<number>[] = [x];
  const zs: Float64Array[] = [];
  const acts: Activation[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const activation = i + 2 === sizes.length ? outAct : act;
    const f = denseForwardRef(inputs[i], get(p, `${prefix}.layers.${i}.weight`), get(p, `${prefix}.layers.${i}.bias`), { rows, inDim: sizes[i], outDim: sizes[i + 1], activation });
    zs.push(f.z);
    acts.push(activation);
    inputs.push(f.y);
  }
  let g: ArrayLike<number> = dy;
  for (let i = sizes.length - 2; i >= 0; i--) {
    const b = denseBackwardRef(inputs[i], get(p, `${prefix}.layers.${i}.weight`), zs[i], g, { rows, inDim: sizes[i], outDim: sizes[i + 1], activation: acts[i] });
    addInto(grads, `${prefix}.layers.${i}.weight`, b.dW);
    addInto(grads, `${prefix}.layers.${i}.bias`, b.db);
    g = b.dx;
  }
  return Float64Array.from(g);
}

function addInto(grads: HostParams, name: string, v: Float64Array): void {
  const cur = grads.get(name);
  if (!cur) grads.set(name, Float64Array.from(v));
  else for (let i = 0; i < v.length; i++) cur[i] += v[i];
}

/** Adds the split-first-layer MLP's ∂L/∂θ for dscore = ∂L/∂score per candidate into `grads`. */
export function pairMlpBackwardRef(
  p: HostParams, prefix: string, spec: { stateDim: number; actionDim: number; hidden: number[]; activation: Activation },
  phi: ArrayLike<number>, psi: ArrayLike<number>, offsets: ArrayLike<number>, dscore: ArrayLike<number>, grads: HostParams,
): void {
  const S = offsets.length - 1, N = offsets[S], h = spec.hidden[0];
  const z = pairFirstLayerRef(p, prefix, spec, phi, psi, offsets);
  const h1 = z.map((v) => activateRef(v, spec.activation));
  const dh1 = mlpBackwardRef(p, `${prefix}.trunk`, [...spec.hidden, 1], spec.activation, h1, N, dscore, grads);
  // Through f, then into the two halves: the action half per candidate, the state half summed per state.
  const dz = dh1.map((g, i) => g * activationGradRef(z[i], spec.activation));
  const dhs = new Float64Array(S * h);
  for (let s = 0; s < S; s++) {
    for (let j = offsets[s]; j < offsets[s + 1]; j++) for (let c = 0; c < h; c++) dhs[s * h + c] += dz[j * h + c];
  }
  const id = (rows: number, inDim: number) => ({ rows, inDim, outDim: h, activation: 'identity' as const });
  const a = denseBackwardRef(psi, get(p, `${prefix}.action_in.weight`), dz, dz, id(N, spec.actionDim));
  const st = denseBackwardRef(phi, get(p, `${prefix}.state_in.weight`), dhs, dhs, id(S, spec.stateDim));
  addInto(grads, `${prefix}.action_in.weight`, a.dW);
  addInto(grads, `${prefix}.in.bias`, a.db);
  addInto(grads, `${prefix}.state_in.weight`, st.dW);
}

/** The estimator's whole step in float64: SPA loss and ∂L/∂θ. */
export function estimatorStepRef(p: HostParams, prefix: string, sizes: number[], act: Activation, x: ArrayLike<number>, offsets: ArrayLike<number>, R: ArrayLike<number>): { loss: number; grads: HostParams } {
  const T = offsets[offsets.length - 1];
  const c = mlpRef(p, prefix, sizes, act, x, T);
  const spa = spaLossRef(offsets, c, R);
  const grads: HostParams = new Map();
  mlpBackwardRef(p, prefix, sizes, act, x, T, spa.dc, grads);
  return { loss: spa.loss, grads };
}

export interface PpoRefBatch {
  phi: ArrayLike<number>;
  psi: ArrayLike<number>;
  prior: ArrayLike<number>;
  offsets: ArrayLike<number>;
  chosen: ArrayLike<number>;
  /** PPO_BATCH_STRIDE per state, in PPO_BATCH_COL order: log π_old, advantage, V_old, return, log π_ref. */
  rollout: ArrayLike<number>;
}

/** One step's rollout row in PPO_BATCH_COL order. */
export function ppoRolloutRow(lpOld: number, adv: number, vOld: number, ret: number, lpRef: number): Float32Array {
  const row = new Float32Array(PPO_BATCH_STRIDE), C = PPO_BATCH_COL;
  row[C.lpOld] = lpOld; row[C.advantage] = adv; row[C.valueOld] = vOld; row[C.ret] = ret; row[C.lpRef] = lpRef;
  return row;
}

/** Step s's rollout columns (PPO_BATCH_COL) under ppoStepRef's names. */
export function ppoBatchRow(rollout: ArrayLike<number>, s: number): { lpOld: number; adv: number; vOld: number; ret: number; lpRef: number } {
  const at = s * PPO_BATCH_STRIDE, C = PPO_BATCH_COL;
  return { lpOld: rollout[at + C.lpOld], adv: rollout[at + C.advantage], vOld: rollout[at + C.valueOld], ret: rollout[at + C.ret], lpRef: rollout[at + C.lpRef] };
}

/** One PPO minibatch in float64: loss and ∂L/∂θ of the policy adapter and the value head. */
export function ppoStepGradRef(
  p: HostParams, adapter: { prefix: string; stateDim: number; actionDim: number; hidden: number[]; activation: Activation; kappa: number },
  value: { prefix: string; sizes: number[]; activation: Activation }, b: PpoRefBatch, config: PpoConfig,
): { loss: number; grads: HostParams } {
  const S = b.offsets.length - 1;
  const f = pairMlpRef(p, adapter.prefix, adapter, b.phi, b.psi, b.offsets);
  const sm = segSoftmaxForwardRef(b.offsets, b.chosen, b.prior, f, adapter.kappa);
  const V = mlpRef(p, value.prefix, value.sizes, value.activation, b.phi, S);
  const gLp = new Float64Array(S), gH = new Float64Array(S), gKL = new Float64Array(S), dV = new Float64Array(S);
  let loss = 0;
  for (let s = 0; s < S; s++) {
    const r = ppoStepRef({
      lp: sm.lpChosen[s], entropy: sm.entropy[s], lpPrior: sm.priorLpChosen[s], klExact: sm.klPrior[s],
      ...ppoBatchRow(b.rollout, s), v: V[s],
    }, config, S);
    loss += r.loss / S;
    gLp[s] = r.dLp; gH[s] = r.dH; gKL[s] = r.dKL; dV[s] = r.dV;
  }
  const grads: HostParams = new Map();
  const dscore = segSoftmaxBackwardRef(b.offsets, b.chosen, b.prior, adapter.kappa, sm, gLp, gH, gKL);
  pairMlpBackwardRef(p, adapter.prefix, adapter, b.phi, b.psi, b.offsets, dscore, grads);
  mlpBackwardRef(p, value.prefix, value.sizes, value.activation, b.phi, S, dV, grads);
  return { loss, grads };
}

/** Packs gradients by name into the ParamSet's layout (padding 0). */
export function packGrads(set: ParamSet, grads: HostParams): Float64Array {
  const out = new Float64Array(set.size);
  for (const e of set.layout()) {
    const g = grads.get(e.name);
    if (g) out.set(g, e.offset);
  }
  return out;
}
