// Reuses GPU buffers by size class. Training steps allocate the same shapes every iteration;
// creating and destroying buffers each time costs more than the small dispatches themselves.

const MIN_BYTES = 256;

/**
 * The size class a request is rounded up to: powers of two below 1 MiB, and quarter steps between
 * powers of two above (so a 5 MiB request wastes at most 25%, not 60%).
 */
export function sizeClass(bytes: number): number {
  const n = Math.max(MIN_BYTES, Math.ceil(bytes));
  const pow = 2 ** Math.ceil(Math.log2(n));
  if (pow <= 1 << 20) return pow;
  const quarter = pow / 8; // steps of pow/2 * 1/4 between pow/2 and pow
  return Math.ceil(n / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  /** Bytes currently handed out and held in the free lists, for the memory panel and leak tests. */
  liveBytes = 0;
  freeBytes = 0;
  /** Buffers created on the device: the allocation count (capacity-plan tests assert it stays put). */
  created = 0;
  /** Requests served from the free lists. */
  reused = 0;

  constructor(private readonly device: GPUDevice, private readonly maxFreeBytes = 512 * 1024 * 1024) {}

  acquire(bytes: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    const size = sizeClass(bytes);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const hit = list?.pop();
    if (hit) {
      this.reused++;
      this.freeBytes -= size;
      this.liveBytes += size;
      return hit;
    }
    const buffer = this.device.createBuffer({ size, usage, label });
    this.sizes.set(buffer, size);
    this.created++;
    this.liveBytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('BufferPool.release: buffer was not acquired from this pool');
    this.liveBytes -= size;
    if (this.freeBytes + size > this.maxFreeBytes) {
      buffer.destroy();
      return;
    }
    const key = `${buffer.usage}:${size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.freeBytes += size;
  }

  /** Destroys every free buffer (on device loss or when a run ends). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.freeBytes = 0;
  }
}
