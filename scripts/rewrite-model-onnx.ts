// npx tsx scripts/rewrite-model-onnx.ts [--check] [--dir DIR]
// Rewrites the bundled model's onnx/model.onnx with the current ONNX writer from the weights the
// file already holds (onnx-decoder-reader.ts), keeping its producer and doc strings: what
// `npm run build:model` writes after an ONNX writer change when its SFT checkpoint is at hand,
// without rerunning the SFT (about 11 minutes) when it is not. Only the graph changes; the
// weights are read back bit for bit (the writer's tests check the round trip), and the other
// files of the folder are left as they are.
//   --check  fail if the committed file differs from a rewrite (the graph is not the current writer's).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { fromHfConfig } from '../src/policy/decoder-arch';
import { BUNDLED_MODEL_ID } from '../src/policy/model-catalogue';
import { readDecoderOnnxWeights } from '../src/policy/onnx-decoder-reader';
import { writeDecoderOnnx } from '../src/policy/onnx-decoder-writer';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = resolve(ROOT, arg('--dir') ?? join('public', 'models', BUNDLED_MODEL_ID));
const path = join(dir, 'onnx', 'model.onnx');
const bytes = readFileSync(path);
const arch = fromHfConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
const weights = readDecoderOnnxWeights(bytes, arch);
const model = onnxProto.onnx.ModelProto.decode(bytes);
const rewritten = writeDecoderOnnx(arch, weights, { producer: model.producerName ?? undefined, docString: model.docString ?? undefined });
const same = Buffer.from(rewritten).equals(bytes);
if (process.argv.includes('--check')) {
  if (!same) {
    console.error(`rewrite-model-onnx --check: ${path} is not the current writer's graph; run npx tsx scripts/rewrite-model-onnx.ts`);
    process.exit(1);
  }
  console.log(`rewrite-model-onnx --check: ${path} is up to date.`);
} else if (same) {
  console.log(`${path} is already the current writer's graph.`);
} else {
  writeFileSync(path, rewritten);
  console.log(`rewrote ${path} (${bytes.length} -> ${rewritten.length} bytes)`);
}
