// The lab's run store in this page: the same IndexedDB database the trainer worker writes
// (persistence/idb-store.ts), opened once. The page reads runs, metrics and trajectories from it,
// and writes only what the user imports.

import { IdbRunStore } from '../../run/persistence/idb-store';
import type { RunStore } from '../../run/persistence/store';

let opening: Promise<RunStore> | null = null;

export function labStore(): Promise<RunStore> {
  opening ??= IdbRunStore.open().catch((e: unknown) => {
    opening = null;
    throw e;
  });
  return opening;
}

/** A fresh run id for an import: readable, unique, and accepted by the store's id check. */
export function importRunId(kind: string, name: string): string {
  const stem = name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-').replace(/^[-.]+/, '').slice(0, 60) || 'file';
  return `import-${kind}-${stem}-${Date.now().toString(36)}`;
}
