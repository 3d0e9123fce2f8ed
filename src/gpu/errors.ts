// Typed failures of the WebGPU layer. Each names its cause and what the user can do about it,
// because "WebGPU failed" on its own sends people to search engines instead of to the fix.

export type GpuUnavailableCause =
  | 'no-navigator-gpu'
  | 'insecure-context'
  | 'no-adapter'
  | 'no-node-webgpu'
  | 'no-vulkan-loader'
  | 'device-request-failed';

const FIXES: Record<GpuUnavailableCause, string> = {
  'no-navigator-gpu':
    'This browser exposes no navigator.gpu. Use a recent Chrome or Edge (113+); on Linux start it with ' +
    '--enable-unsafe-webgpu --enable-features=Vulkan, or enable chrome://flags/#enable-unsafe-webgpu.',
  'insecure-context':
    'WebGPU needs a secure context. Open the lab from http://localhost or http://127.0.0.1 (or https), ' +
    'not from a LAN address or a file:// URL.',
  'no-adapter':
    'The browser has WebGPU but found no adapter. Check chrome://gpu; on a machine without a GPU start ' +
    'Chromium with --use-vulkan=swiftshader --use-webgpu-adapter=swiftshader to get the CPU (SwiftShader) adapter.',
  'no-node-webgpu':
    'The npm package "webgpu" (Dawn for Node) could not be loaded. Run `npm install` in the project.',
  'no-vulkan-loader':
    'Dawn found no Vulkan driver. Install Debian\'s `chromium` and `libvulkan1` packages ' +
    '(apt-get install chromium libvulkan1): Chromium ships the SwiftShader ICD at ' +
    '/usr/lib/chromium/vk_swiftshader_icd.json, or set VK_ICD_FILENAMES to another Vulkan ICD.',
  'device-request-failed':
    'The adapter refused to create a device. Close other GPU-heavy tabs, or reload to get a fresh adapter.',
};

export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
  readonly fix: string;
  constructor(override readonly cause: GpuUnavailableCause, detail?: string) {
    super(`WebGPU unavailable (${cause})${detail ? `: ${detail}` : ''}. ${FIXES[cause]}`);
    this.fix = FIXES[cause];
  }
}

export interface ShaderDiagnostic {
  type: 'error' | 'warning' | 'info';
  /** The file that holds the line: the shader, a shaders/lib/ part, or constants emitted from TypeScript. */
  file?: string;
  line: number;
  column: number;
  message: string;
}

/** A WGSL module that did not compile, with the shader's name and the first error's position. */
export class ShaderCompileError extends Error {
  override readonly name = 'ShaderCompileError';
  constructor(
    readonly shader: string,
    readonly diagnostics: ShaderDiagnostic[],
    readonly sourceLine: string | undefined,
  ) {
    const first = diagnostics.find((d) => d.type === 'error') ?? diagnostics[0];
    const where = first ? `${first.file ?? `${shader}.wgsl`}:${first.line}:${first.column}` : `${shader}.wgsl`;
    const text = first ? first.message : 'unknown compile error';
    super(`WGSL compile error in ${where}: ${text}${sourceLine !== undefined ? `\n  ${first?.line} | ${sourceLine}` : ''}`);
  }
}

/** Pipeline creation failed for a module that compiled (bad entry point, layout or constants). */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(readonly shader: string, message: string) {
    super(`Could not create the compute pipeline for ${shader}.wgsl: ${message}`);
  }
}

/** The device was lost (driver reset, tab backgrounded for too long, destroy()). */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  constructor(readonly reason: string, message: string) {
    super(`The GPU device was lost (${reason}): ${message || 'no message'}. Reload the lab to get a new device; runs are saved.`);
  }
}

/**
 * Recorded GPU commands failed validation (e.g. a binding that does not match the pipeline). The
 * whole command buffer is then discarded by the device, so every output of that batch is garbage:
 * this error is raised by the next `done()` or `read()` instead of letting zeros pass as results.
 */
export class GpuValidationError extends Error {
  override readonly name = 'GpuValidationError';
  constructor(message: string) {
    super(`GPU commands failed validation and were not run: ${message}`);
  }
}
