import 'fake-indexeddb/auto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing';
import { adapterKey } from './autotune';
import { shapeClass, tunedVariant } from './matmul';
import { FileTuneStore, IdbTuneStore, loadTuneStore, MemoryTuneStore, nodeTuneCachePath, setTuneStore, TUNE_CACHE_ENV } from './tune-store';

const dirs: string[] = [];
async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-tune-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('autotuner memory', () => {
  it('Node: the file path comes from the environment, else node_modules/.cache under the working directory', () => {
    expect(nodeTuneCachePath({ [TUNE_CACHE_ENV]: '/x/tune.json' }, '/repo')).toBe('/x/tune.json');
    expect(nodeTuneCachePath({}, '/repo')).toBe('/repo/node_modules/.cache/stepwise/autotune.json');
  });

  it('Node: choices written to the file (directories created) are there when a new process opens it', async () => {
    const file = path.join(await tmpDir(), 'nested', 'dir', 'autotune.json');
    const a = await FileTuneStore.open(file);
    expect(a.get('matmul:x:nn')).toBeUndefined();
    a.set('matmul:x:nn', 'regblock');
    a.set('matmul:x:tn', 'tiled');
    await a.flush();
    const b = await FileTuneStore.open(file);
    expect(b.get('matmul:x:nn')).toBe('regblock');
    expect(b.get('matmul:x:tn')).toBe('tiled');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ version: 1, choices: { 'matmul:x:nn': 'regblock', 'matmul:x:tn': 'tiled' } });
  });

  it('Node: a corrupt or foreign-version file starts empty and is replaced on the next choice', async () => {
    const dir = await tmpDir();
    const corrupt = path.join(dir, 'corrupt.json'), old = path.join(dir, 'old.json');
    await fs.writeFile(corrupt, '{ not json');
    await fs.writeFile(old, JSON.stringify({ version: 0, choices: { k: 'tiled' } }));
    const c = await FileTuneStore.open(corrupt), o = await FileTuneStore.open(old);
    expect(c.entries()).toEqual([]);
    expect(o.get('k')).toBeUndefined();
    c.set('k', 'gemv');
    await c.flush();
    expect((await FileTuneStore.open(corrupt)).get('k')).toBe('gemv');
  });

  it('browser and workers: choices persist in IndexedDB', async () => {
    const a = await IdbTuneStore.open();
    a.set('matmul:y:nt', 'regblock');
    await a.flush();
    a.close();
    const b = await IdbTuneStore.open();
    expect(b.get('matmul:y:nt')).toBe('regblock');
    b.close();
  });

  it('the tuner reads a stored choice instead of timing, and stores what it times', async () => {
    const gpu = await testGpu();
    const store = new MemoryTuneStore();
    setTuneStore(store);
    expect(await loadTuneStore()).toBe(store);
    const dims = { M: 64, N: 64, K: 64, form: 'nn' as const };
    const key = `matmul:${adapterKey(gpu)}:${shapeClass(dims)}`;
    // A stored choice is used as it is: no candidate is timed.
    store.set(key, 'tiled');
    const dispatches = gpu.stats.dispatches;
    expect(await tunedVariant(gpu, dims)).toBe('tiled');
    expect(gpu.stats.dispatches).toBe(dispatches);
    const other = { M: 32, N: 128, K: 16, form: 'tn' as const };
    const choice = await tunedVariant(gpu, other);
    expect(gpu.stats.dispatches).toBeGreaterThan(dispatches);
    expect(store.get(`matmul:${adapterKey(gpu)}:${shapeClass(other)}`)).toBe(choice);
  });
});
