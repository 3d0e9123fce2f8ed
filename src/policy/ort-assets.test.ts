// The browser worker imports ORT's wasm binary and loader by package path
// ('onnxruntime-web/ort-wasm-simd-threaded.asyncify.*?url'), and the writer tests drive
// onnxruntime-node directly. Both must be the exact builds transformers.js itself runs: a wasm
// binary from another ORT version fails at instantiation with an opaque import error.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The installed folder of a package (their exports hide package.json, so climb from the entry). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json for ${name}`);
    dir = up;
  }
  return dir;
}
const version = (dir: string): string => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

describe('ONNX Runtime builds', () => {
  const transformers = packageDir('@huggingface/transformers');
  const pins = JSON.parse(readFileSync(join(transformers, 'package.json'), 'utf8')).dependencies as Record<string, string>;

  for (const ort of ['onnxruntime-web', 'onnxruntime-node']) {
    it(`${ort} resolved from src/ is the one transformers.js pins (${pins[ort]})`, () => {
      expect(version(packageDir(ort))).toBe(pins[ort]);
      // No private copy under transformers.js that it would use instead of ours.
      expect(existsSync(join(transformers, 'node_modules', ort))).toBe(false);
    });
  }

  it('ships the asyncify wasm/mjs pair the worker imports', () => {
    const dist = join(packageDir('onnxruntime-web'), 'dist');
    expect(existsSync(join(dist, 'ort-wasm-simd-threaded.asyncify.wasm'))).toBe(true);
    expect(existsSync(join(dist, 'ort-wasm-simd-threaded.asyncify.mjs'))).toBe(true);
  });
});
