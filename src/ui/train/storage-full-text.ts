// The Train screen's storage-full panel's wording (storage-full.ts), pure so it is unit-tested.

import { formatBytes, storageFullDuring, type RunUsage } from '../../run/persistence/store';

/** The panel's lead: what the store was writing when it filled up, in a sentence; null for another error. */
export function storageFullLead(message: string): string | null {
  const during = storageFullDuring(message);
  return during === null ? null : `Browser storage is full: the run stopped while ${during}.`;
}

/** One stored run as the panel lists it: "3.0 MiB · 12 checkpoints · 900 trajectories". */
export function usageText(u: RunUsage): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `${formatBytes(u.bytes)} · ${n(u.checkpoints, 'checkpoint', 'checkpoints')} · ${n(u.trajectories, 'trajectory', 'trajectories')}`;
}
