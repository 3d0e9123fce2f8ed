// The one place that knows how Stepwise starts Chromium: Debian's binary, with WebGPU on
// SwiftShader when the machine has no GPU (DESIGN.md §7). Used by Playwright, the benchmarks and
// the ensure script.
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  // The machine's network is closed: without these Chromium retries unreachable hosts all run long.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function chromiumInstalled() {
  return existsSync(CHROMIUM_PATH);
}
