// What we tell the user (and the autotuner) about the adapter we got.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A CPU implementation (SwiftShader, llvmpipe, WARP): kernels and model-device choices differ. */
  isSoftware: boolean;
  /** 'browser' or 'node' (Dawn). */
  runtime: 'browser' | 'node';
  features: string[];
  limits: Record<string, number>;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

export function summarizeAdapter(adapter: GPUAdapter, runtime: 'browser' | 'node'): AdapterSummary {
  const info = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info in 2024; read either.
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const infoExt = info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const isFallbackAdapter = Boolean(infoExt.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false);
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const limits: Record<string, number> = {};
  // GPUSupportedLimits exposes its values as prototype getters, so enumerate the prototype chain.
  for (let proto: object | null = adapter.limits; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (adapter.limits as unknown as Record<string, unknown>)[key];
      if (typeof value === 'number') limits[key] = value;
    }
  }
  return {
    vendor,
    architecture,
    device,
    description,
    isFallbackAdapter,
    isSoftware: isFallbackAdapter || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`),
    runtime,
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

/** One line for logs and the header, e.g. "google swiftshader — SwiftShader Device (Subzero) [software]". */
export function describeAdapter(a: AdapterSummary): string {
  const head = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const desc = a.description || a.device;
  return `${head}${desc ? ` — ${desc}` : ''}${a.isSoftware ? ' [software]' : ''} (${a.runtime})`;
}
