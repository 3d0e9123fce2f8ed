// Runs once per `vitest run`: prints which adapter the WebGPU tests will use, and fails the whole
// run (rather than letting GPU tests skip) when there is none.
import { acquireGpu, describeAdapter } from '../src/gpu';

export default async function setup(): Promise<void> {
  const handle = await acquireGpu();
  const i = handle.info;
  console.log(`[stepwise] WebGPU adapter: ${describeAdapter(i)}; fallback=${i.isFallbackAdapter}; ` +
    `maxStorageBufferBindingSize=${i.limits.maxStorageBufferBindingSize}; features: ${i.features.join(', ')}`);
  handle.destroy();
}
