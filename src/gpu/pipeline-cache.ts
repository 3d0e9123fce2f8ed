// Compiles each (shader, entry point, override constants) once per device. Compilation is the
// expensive part of WebGPU on every backend (SwiftShader: 50 ms–1 s per pipeline), so nothing
// above this layer ever creates a pipeline directly.

import { PipelineError, ShaderCompileError, type ShaderDiagnostic } from './errors';
import { expandedShader, locateLine, type ExpandedShader } from './shader-source';

export type Constants = Record<string, number>;

export interface PipelineSpec {
  shader: string;
  entryPoint?: string;
  constants?: Constants;
}

export function pipelineKey(spec: PipelineSpec): string {
  const c = spec.constants ?? {};
  const consts = Object.keys(c).sort().map((k) => `${k}=${c[k]}`).join(',');
  return `${spec.shader}#${spec.entryPoint ?? 'main'}{${consts}}`;
}

export class PipelineCache {
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly ready = new Map<string, GPUComputePipeline>();
  /** Time spent compiling, for the profiler and the bench report. */
  compileMs = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Compiled module for shaders/<name>.wgsl; throws ShaderCompileError with the line on failure. */
  module(shader: string): Promise<GPUShaderModule> {
    let m = this.modules.get(shader);
    if (!m) {
      m = this.compile(shader);
      this.modules.set(shader, m);
      m.catch(() => this.modules.delete(shader));
    }
    return m;
  }

  /** Compiles WGSL text; with `expanded`, error positions name the included file and its line. */
  async compileSource(shader: string, code: string, expanded?: ExpandedShader): Promise<GPUShaderModule> {
    // The scope keeps the device from also reporting the error as "uncaptured": it is reported
    // once, below, with the shader's name and line.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: shader, code });
    const [info] = await Promise.all([module.getCompilationInfo(), this.device.popErrorScope()]);
    const diagnostics: ShaderDiagnostic[] = info.messages.map((m) => {
      const at = expanded ? locateLine(expanded, m.lineNum) : { file: `${shader}.wgsl`, line: m.lineNum };
      return { type: m.type, file: at.file, line: at.line, column: m.linePos, message: m.message };
    });
    const firstError = info.messages.findIndex((m) => m.type === 'error');
    if (firstError >= 0) {
      throw new ShaderCompileError(shader, diagnostics, code.split('\n')[info.messages[firstError].lineNum - 1]);
    }
    return module;
  }

  private async compile(shader: string): Promise<GPUShaderModule> {
    const expanded = await expandedShader(shader);
    return this.compileSource(shader, expanded.code, expanded);
  }

  /** The pipeline, compiled on first use. */
  get(spec: PipelineSpec): Promise<GPUComputePipeline> {
    const key = pipelineKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.create(spec, key);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  /** The pipeline if `get` already finished for this spec; lets hot paths stay synchronous. */
  peek(spec: PipelineSpec): GPUComputePipeline | undefined {
    return this.ready.get(pipelineKey(spec));
  }

  get size(): number {
    return this.ready.size;
  }

  private async create(spec: PipelineSpec, key: string): Promise<GPUComputePipeline> {
    const module = await this.module(spec.shader);
    const t0 = performance.now();
    this.device.pushErrorScope('validation');
    // createComputePipelineAsync crashes Dawn-node on SwiftShader; the sync form is safe everywhere,
    // and the error scope turns its failures into exceptions instead of an invalid object.
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: spec.constants ?? {} },
    });
    const err = await this.device.popErrorScope();
    this.compileMs += performance.now() - t0;
    if (err) throw new PipelineError(spec.shader, err.message);
    this.ready.set(key, pipeline);
    return pipeline;
  }
}
