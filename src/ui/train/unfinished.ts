// The Train screen's resume offer in words: why a run the trainer lists as unfinished stopped
// (protocol.ts UnfinishedRun), so a failed or stopped run reads differently from an interrupted one.

import { storageFullDuring } from '../../run/persistence/store';
import { STAGE_LABEL, type UnfinishedRun } from '../../run/protocol';

/**
 * A run's stored error as the offer shows it: a full store's long message (with its list of runs
 * to delete, stale once space is freed) reads as what was being written, in a short clause.
 */
function reason(error: string): string {
  const during = storageFullDuring(error);
  return during === null ? error : `storage was full while ${during}; free space, then resume it`;
}

/** One line on why a run is unfinished, for the resume offer. */
export function unfinishedText(r: UnfinishedRun): string {
  const where = `${r.stage ? ` in ${STAGE_LABEL[r.stage] ?? r.stage}` : ''}${r.iteration > 0 ? ` after PPO iteration ${r.iteration}` : ''}`;
  switch (r.status) {
    case 'failed': return `Run “${r.label}” failed${where}${r.error ? `: ${reason(r.error)}` : ''}.`;
    case 'cancelled': return `Run “${r.label}” was stopped${where}.`;
    case 'paused': return `Run “${r.label}” was paused${where} when the tab closed.`;
    default: return `Run “${r.label}” stopped${where} when the tab closed.`;
  }
}
