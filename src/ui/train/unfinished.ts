// The Train screen's resume offer in words: why a run the trainer lists as unfinished stopped
// (protocol.ts UnfinishedRun), so a failed or stopped run reads differently from an interrupted one.

import { STAGE_LABEL, type UnfinishedRun } from '../../run/protocol';

/** One line on why a run is unfinished, for the resume offer. */
export function unfinishedText(r: UnfinishedRun): string {
  const where = `${r.stage ? ` in ${STAGE_LABEL[r.stage] ?? r.stage}` : ''}${r.iteration > 0 ? ` after PPO iteration ${r.iteration}` : ''}`;
  switch (r.status) {
    case 'failed': return `Run “${r.label}” failed${where}${r.error ? `: ${r.error}` : ''}.`;
    case 'cancelled': return `Run “${r.label}” was stopped${where}.`;
    case 'paused': return `Run “${r.label}” was paused${where} when the tab closed.`;
    default: return `Run “${r.label}” stopped${where} when the tab closed.`;
  }
}
