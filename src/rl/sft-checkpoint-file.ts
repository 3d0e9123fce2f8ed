// SFT checkpoints in a directory (Node): one safetensors file, replaced atomically (written to a
// temporary file, flushed to disk, renamed over the old one), so a run killed mid-write leaves
// the previous checkpoint readable.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SftCheckpointStore } from './sft';

export const SFT_CHECKPOINT_FILE = 'sft-checkpoint.safetensors';

export function fileCheckpointStore(dir: string): SftCheckpointStore & { path: string } {
  const path = join(dir, SFT_CHECKPOINT_FILE);
  return {
    path,
    async read() {
      return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
    },
    async write(bytes) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        let at = 0;
        while (at < bytes.byteLength) at += writeSync(fd, bytes, at, bytes.byteLength - at);
        fsyncSync(fd);
      } catch (e) {
        closeSync(fd);
        rmSync(tmp, { force: true });
        throw e;
      }
      closeSync(fd);
      renameSync(tmp, path);
    },
  };
}
