import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../run/persistence/store';
import { alignRuns, byIteration, formatCell, lastValue, meanStd, resultsTable, seriesOf, smooth, toCsv } from './metrics';

describe('metric views', () => {
  it('merges rows per iteration, leaves evaluation rows out, and reads series with gaps', () => {
    const rows: MetricRow[] = [
      { iteration: 1, success_rate: 0.2 }, { iteration: 0, success_rate: 0.1, entropy: 1.5 },
      { iteration: 1, entropy: 1.2 }, { iteration: 2, stage: 'eval', split: 'unseen-test', success_rate: 0.9 },
    ];
    expect(byIteration(rows)).toEqual([{ iteration: 0, success_rate: 0.1, entropy: 1.5 }, { iteration: 1, success_rate: 0.2, entropy: 1.2 }]);
    expect(seriesOf(rows, ['success_rate', 'pg_loss'])).toEqual({ x: [0, 1], values: [[0.1, 0.2], [null, null]] });
    expect(lastValue(rows, 'success_rate')).toBe(0.2);
    expect(lastValue(rows, 'pg_loss')).toBeNull();
  });

  it('aligns runs on the union of iterations and smooths with a trailing window', () => {
    const a = { rows: [{ iteration: 0, m: 1 }, { iteration: 2, m: 3 }] };
    const b = { rows: [{ iteration: 1, m: 10 }, { iteration: 2, m: 20 }] };
    expect(alignRuns([a, b], 'm')).toEqual({ x: [0, 1, 2], values: [[1, null, 3], [null, 10, 20]] });
    expect(smooth([1, null, 3, 5], 2)).toEqual([1, null, 3, 4]);
  });

  it('builds the paper table: methods × env/split, mean ± std over seeds, last evaluation per seed', () => {
    const run = (reward: 'spa' | 'outcome', seed: number, success: number, grounding: number) => ({
      config: { reward, env: 'household', seed },
      rows: <MetricRow[]>[
        { iteration: 3, stage: 'eval', split: 'unseen-test', success_rate: 0, score: 0, grounding_acc: 0 },
        { iteration: 4, stage: 'eval', split: 'unseen-test', success_rate: success, score: success, grounding_acc: grounding },
        { iteration: 4, success_rate: 0.99 },
      ],
    });
    const t = resultsTable([run('spa', 1, 0.5, 0.8), run('spa', 2, 0.7, 0.9), run('outcome', 1, 0.4, 0.6)]);
    expect(t.map((r) => [r.method, r.split, r.seeds])).toEqual([['outcome', 'unseen-test', [1]], ['spa', 'unseen-test', [1, 2]]]);
    expect(t[1].success.mean).toBeCloseTo(0.6, 12);
    expect(t[1].success.std).toBeCloseTo(0.1, 12);
    expect(formatCell(t[1].grounding)).toBe('85.0 ± 5.0');
    expect(formatCell(meanStd([]))).toBe('–');
  });

  it('writes CSV that quotes separators and defuses formula cells from imported labels', () => {
    expect(toCsv(['a', 'b'], [['x,y', 1.5], ['=HYPERLINK("z")', null], ['-1', -2]]))
      .toBe('a,b\r\n"x,y",1.5\r\n"\'=HYPERLINK(""z"")",\r\n\'-1,-2\r\n');
  });
});
