// Per-dispatch GPU timings from timestamp queries, when the adapter has 'timestamp-query'.
// Profiling puts every dispatch in its own compute pass (timestampWrites are per pass), which
// adds a little overhead, so it is off unless asked for.

export interface ProfileEntry {
  label: string;
  ms: number;
}

export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly labels: string[] = [];

  constructor(private readonly device: GPUDevice, readonly capacity = 1024) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: capacity * 2 });
    this.resolve = device.createBuffer({ size: capacity * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  static supported(device: GPUDevice): boolean {
    return device.features.has('timestamp-query');
  }

  get full(): boolean {
    return this.labels.length >= this.capacity;
  }

  /** timestampWrites for the next pass, or undefined once the query set is full. */
  next(label: string): GPUComputePassTimestampWrites | undefined {
    if (this.full) return undefined;
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Resolves the recorded queries into `encoder`; returns a function that reads them after submit. */
  collect(encoder: GPUCommandEncoder): (() => Promise<ProfileEntry[]>) | undefined {
    const n = this.labels.length;
    if (n === 0) return undefined;
    const labels = this.labels.splice(0);
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolve, 0);
    const staging = this.device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(this.resolve, 0, staging, 0, 16 * n);
    return async () => {
      await staging.mapAsync(GPUMapMode.READ);
      const ticks = new BigInt64Array(staging.getMappedRange().slice(0));
      staging.destroy();
      return labels.map((label, i) => ({ label, ms: Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6 }));
    };
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolve.destroy();
  }
}

/** Sums entries by label: "where does the time go" for one step. */
export function summarizeProfile(entries: ProfileEntry[]): { label: string; ms: number; calls: number }[] {
  const byLabel = new Map<string, { ms: number; calls: number }>();
  for (const e of entries) {
    const s = byLabel.get(e.label) ?? { ms: 0, calls: 0 };
    s.ms += e.ms;
    s.calls++;
    byLabel.set(e.label, s);
  }
  return [...byLabel].map(([label, s]) => ({ label, ...s })).sort((a, b) => b.ms - a.ms);
}
