// WGSL sources live as plain files in shaders/. Under Vite (the app, vitest) they are inlined at
// build time with `?raw`; under plain Node (the CLI, bundled benchmarks) they are read from disk.

type Glob = Record<string, string>;

function viteShaders(): Glob | undefined {
  try {
    // import.meta.glob is replaced by Vite at build time; elsewhere it is undefined and throws.
    return import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob;
  } catch {
    return undefined;
  }
}

const bundled = new Map<string, string>();
for (const [path, code] of Object.entries(viteShaders() ?? {})) {
  bundled.set(path.replace(/^.*\//, '').replace(/\.wgsl$/, ''), code);
}

const fromDisk = new Map<string, string>();

/** Names of the shaders known to the bundle (empty outside Vite). */
export function bundledShaderNames(): string[] {
  return [...bundled.keys()].sort();
}

/** The WGSL text of shaders/<name>.wgsl. */
export async function shaderSource(name: string): Promise<string> {
  const hit = bundled.get(name) ?? fromDisk.get(name);
  if (hit !== undefined) return hit;
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error(`Unknown shader "${name}": no shaders/${name}.wgsl in this build (known: ${bundledShaderNames().join(', ')})`);
  }
  const fs = await import(/* @vite-ignore */ 'node:' + 'fs/promises');
  const dir = process.env.STEPWISE_SHADER_DIR ?? new URL(/* @vite-ignore */ '../../shaders/', import.meta.url);
  const url = typeof dir === 'string' ? `${dir.replace(/\/$/, '')}/${name}.wgsl` : new URL(`${name}.wgsl`, dir);
  try {
    const code = await fs.readFile(url, 'utf8');
    fromDisk.set(name, code);
    return code;
  } catch (e) {
    throw new Error(`Unknown shader "${name}": could not read ${String(url)} (${(e as Error).message})`);
  }
}
