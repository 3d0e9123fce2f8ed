import { describe, expect, it } from 'vitest';
import { PROGRESS_THRESHOLD, agreement, estimatorSays, stepCredits, toggleMark, type Mark } from './playground-credit';

describe('playground credit', () => {
  it('reads ĉ_t against the threshold', () => {
    expect(estimatorSays(PROGRESS_THRESHOLD + 1e-9)).toBe('progress');
    expect(estimatorSays(PROGRESS_THRESHOLD)).toBe('none');
    expect(estimatorSays(-0.3)).toBe('none');
  });

  it('lays the player\'s marks over the estimator\'s credit and counts agreement', () => {
    const marks = new Map<number, Mark>([[1, 'progress'], [2, 'progress'], [4, 'none']]);
    const rows = stepCredits([0.4, 0.01, -0.1, 0.2], [true, false, true, true], marks);
    [0.4, 0.41, 0.31, 0.51].forEach((x, i) => expect(rows[i].running).toBeCloseTo(x, 12));
    expect(rows.map((r) => r.says)).toEqual(['progress', 'none', 'none', 'progress']);
    expect(rows.map((r) => r.agrees)).toEqual([true, false, undefined, false]);
    expect(rows[1].valid).toBe(false);
    expect(agreement(rows)).toEqual({ marked: 3, agreed: 1 });
    expect(agreement(stepCredits([0.2], [true], new Map()))).toEqual({ marked: 0, agreed: 0 });
  });

  it('toggles a mark off when set again', () => {
    const a = toggleMark(new Map(), 3, 'progress');
    expect([...a]).toEqual([[3, 'progress']]);
    expect([...toggleMark(a, 3, 'none')]).toEqual([[3, 'none']]);
    expect([...toggleMark(a, 3, 'progress')]).toEqual([]);
  });
});
