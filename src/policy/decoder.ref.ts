// Float64 reference forward pass of the Llama-family decoder, straight from the standard-layout
// weights. Slow and plain on purpose: it is the ground truth the ONNX graph is tested against.

import type { DecoderArch, DecoderWeights } from './decoder-arch';

export interface ReferenceOutput {
  /** logits[t] = next-token logits after token t. */
  logits: Float64Array[];
  /** Final-norm hidden state per position. */
  hidden: Float64Array[];
}

/** y = W x for a PyTorch-layout weight [out, in]. */
function matVec(w: { shape: number[]; data: Float32Array }, x: Float64Array, bias?: { data: Float32Array }): Float64Array {
  const [rows, cols] = w.shape;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = bias ? bias.data[r] : 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) s += w.data[base + c] * x[c];
    y[r] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const inv = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * inv * w[i]);
}

/** Rotates one head vector in place (HF rotate_half convention). */
function rope(v: Float64Array, offset: number, hd: number, position: number, theta: number): void {
  const half = hd / 2;
  for (let i = 0; i < half; i++) {
    // Match the graph: the angle is formed in float32 (position * inv_freq), like HF does.
    const invFreq = Math.fround(1 / Math.pow(theta, (2 * i) / hd));
    const angle = Math.fround(position * invFreq);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const a = v[offset + i];
    const b = v[offset + i + half];
    v[offset + i] = a * c - b * s;
    v[offset + i + half] = b * c + a * s;
  }
}

/** Forward pass of one unpadded sequence whose first token sits at position `startPosition`. */
export function referenceForward(arch: DecoderArch, weights: DecoderWeights, ids: number[], startPosition = 0): ReferenceOutput {
  const { hiddenSize: d, numHeads: H, numKvHeads: KV, headDim: hd } = arch;
  const rep = H / KV;
  const embed = weights['model.embed_tokens.weight'];
  let xs: Float64Array[] = ids.map((id) => {
    if (id < 0 || id >= arch.vocabSize) throw new RangeError(`token id ${id} outside vocabulary [0, ${arch.vocabSize})`);
    return Float64Array.from(embed.data.subarray(id * d, (id + 1) * d));
  });
  for (let layer = 0; layer < arch.numLayers; layer++) {
    const p = `model.layers.${layer}.`;
    const bias = (n: string) => (arch.attentionBias ? weights[`${p}self_attn.${n}_proj.bias`] : undefined);
    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    xs.forEach((x, t) => {
      const h = rmsNorm(x, weights[`${p}input_layernorm.weight`].data, arch.rmsNormEps);
      const q = matVec(weights[`${p}self_attn.q_proj.weight`], h, bias('q'));
      const k = matVec(weights[`${p}self_attn.k_proj.weight`], h, bias('k'));
      const v = matVec(weights[`${p}self_attn.v_proj.weight`], h, bias('v'));
      for (let head = 0; head < H; head++) rope(q, head * hd, hd, startPosition + t, arch.ropeTheta);
      for (let head = 0; head < KV; head++) rope(k, head * hd, hd, startPosition + t, arch.ropeTheta);
      qs.push(q);
      ks.push(k);
      vs.push(v);
    });
    xs = xs.map((x, t) => {
      const merged = new Float64Array(H * hd);
      for (let head = 0; head < H; head++) {
        const kvHead = Math.floor(head / rep);
        const scores = new Float64Array(t + 1);
        let max = -Infinity;
        for (let j = 0; j <= t; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += qs[t][head * hd + c] * ks[j][kvHead * hd + c];
          scores[j] = s / Math.sqrt(hd);
          max = Math.max(max, scores[j]);
        }
        let z = 0;
        for (let j = 0; j <= t; j++) z += scores[j] = Math.exp(scores[j] - max);
        for (let j = 0; j <= t; j++) {
          const w = scores[j] / z;
          for (let c = 0; c < hd; c++) merged[head * hd + c] += w * vs[j][kvHead * hd + c];
        }
      }
      const attnOut = matVec(weights[`${p}self_attn.o_proj.weight`], merged);
      const x1 = x.map((v, i) => v + attnOut[i]);
      const h2 = rmsNorm(x1, weights[`${p}post_attention_layernorm.weight`].data, arch.rmsNormEps);
      const gate = matVec(weights[`${p}mlp.gate_proj.weight`], h2);
      const up = matVec(weights[`${p}mlp.up_proj.weight`], h2);
      const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
      const down = matVec(weights[`${p}mlp.down_proj.weight`], act);
      return x1.map((v, i) => v + down[i]);
    });
  }
  const hidden = xs.map((x) => rmsNorm(x, weights['model.norm.weight'].data, arch.rmsNormEps));
  const head = arch.tieWordEmbeddings ? embed : weights['lm_head.weight'];
  return { hidden, logits: hidden.map((h) => matVec(head, h)) };
}

/** log softmax in float64. */
export function logSoftmax64(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const lz = max + Math.log(z);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lz;
  return out;
}
