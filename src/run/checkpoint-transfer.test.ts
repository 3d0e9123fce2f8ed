// Checkpoint files between browsers: export packs the run's config and options with the
// checkpoint, import makes a finished run that holds the same checkpoint; a damaged file or one
// without its run is refused with a message, and leaves the store unchanged.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFile, importCheckpoint, readCheckpointFile } from './checkpoint-transfer';
import { parseRunConfig } from './config';
import { packCheckpoint } from './persistence/checkpoint-file';
import { FileRunStore } from './persistence/file-store';
import type { Checkpoint, RunRecord } from './persistence/store';

const root = mkdtempSync(join(tmpdir(), 'stepwise-ckpt-transfer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = parseRunConfig({ env: 'webshop', seed: 9, reward: 'progress-only', estimator: { hidden: 12 } });
const record: RunRecord = {
  id: 'r1', label: 'progress-only · webshop · seed 9', config, status: 'finished', createdAt: 'x', updatedAt: 'x', iteration: 3,
  extra: { options: { headHidden: [16], maxSteps: 8 } },
};
const checkpoint: Checkpoint = {
  iteration: 3, createdAt: '2025-01-01T00:00:00.000Z', meta: { stage: 'ppo', iteration: 3, firstEntropy: 0.9 },
  blobs: { 'heads.safetensors': new Uint8Array([1, 2, 3, 4, 5]), 'optim.safetensors': new Uint8Array([9, 8]) },
};

describe('checkpoint files', () => {
  it('round-trips the checkpoint with its run', async () => {
    const file = checkpointFile(record, checkpoint);
    expect(file.filename).toBe('progress-only-webshop-seed-9-it3.swck');
    const read = readCheckpointFile(file.bytes);
    expect(read.checkpoint).toEqual(checkpoint);
    expect(read.run).toEqual({ label: record.label, config, options: { headHidden: [16], maxSteps: 8 } });

    const store = await FileRunStore.open(join(root, 'a'));
    const r = await importCheckpoint(store, file.bytes, 'imported-1');
    expect(r).toEqual({ runId: 'imported-1', label: `${record.label} (imported)` });
    const run = (await store.getRun('imported-1'))!;
    expect(run).toMatchObject({ status: 'finished', config, iteration: 3, stage: 'ppo', extra: { options: { headHidden: [16], maxSteps: 8 } } });
    expect(await store.latestCheckpoint('imported-1')).toEqual(checkpoint);
  });

  it('refuses damaged files and files without their run, storing nothing', async () => {
    const store = await FileRunStore.open(join(root, 'b'));
    const good = checkpointFile(record, checkpoint).bytes;
    const flipped = good.slice();
    flipped[flipped.length - 1] ^= 0xff;
    await expect(importCheckpoint(store, flipped, 'x1')).rejects.toThrow(/not a Stepwise checkpoint file/);
    await expect(importCheckpoint(store, new TextEncoder().encode('{"hello":1}'), 'x2')).rejects.toThrow(/not a Stepwise checkpoint file/);
    await expect(importCheckpoint(store, packCheckpoint(checkpoint), 'x3')).rejects.toThrow(/which run it belongs to/);
    const badConfig = packCheckpoint({ ...checkpoint, meta: { ...checkpoint.meta, run: { label: 'l', config: { env: 'nowhere' }, options: {} } } });
    await expect(importCheckpoint(store, badConfig, 'x4')).rejects.toThrow(/run config is not valid/);
    expect(await store.listRuns()).toEqual([]);
  });
});
