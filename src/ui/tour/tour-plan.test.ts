import { describe, expect, it } from 'vitest';
import type { StepRecord, Trajectory } from '../../rl/trajectory';
import { safeParseRunConfig } from '../../run/config';
import { creditTwoWays, pickTrajectory, signed, summarise, tourConfig } from './tour-plan';

function traj(id: string, progress: (number | undefined)[], won: boolean, iteration = 0): Trajectory {
  const steps: StepRecord[] = progress.map((p, i) => ({
    observation: `o${i}`, admissible: ['look', `go ${i}`], action: 1, logpOld: -0.7, probs: [0.5, 0.5], value: 0,
    valid: i !== 1, reward: i === progress.length - 1 && won ? 1 : 0, done: i === progress.length - 1, won: won && i === progress.length - 1,
    stateKey: `s${i}`, ...(p === undefined ? {} : { progress: p }),
  }));
  return { id, env: 'household', taskId: 't', seed: 0, iteration, goal: 'g', steps, finalReward: won ? 1 : 0, won };
}

describe('tour plan', () => {
  it('both runs are valid configs that differ only in the method', () => {
    const spa = tourConfig('spa'), outcome = tourConfig('outcome');
    expect(safeParseRunConfig(spa).ok).toBe(true);
    expect({ ...outcome, reward: 'spa' }).toEqual(spa);
    expect(outcome.reward).toBe('outcome');
  });

  it('credits sparse on the last step only and stepwise with running sums', () => {
    const c = creditTwoWays(traj('a', [0.1, -0.05, 0.6, 0.3], true));
    expect(c.rows.map((r) => r.sparse)).toEqual([0, 0, 0, 1]);
    expect(c.rows.map((r) => r.stepwise)).toEqual([0.1, -0.05, 0.6, 0.3]);
    expect(c.rows.at(-1)!.running).toBeCloseTo(0.95, 12);
    expect(c.total).toBeCloseTo(0.95, 12);
    expect(c.best).toBe(2);
    expect(c.rows[1].valid).toBe(false);
    expect(c.rows[0].action).toBe('go 0');
    expect(() => creditTwoWays(traj('b', [0.1, undefined], true))).toThrow(/no ĉ_t/);
  });

  it('picks a credited win with the most uneven credit', () => {
    const flat = traj('flat', [0.25, 0.25, 0.25, 0.25], true);
    const uneven = traj('uneven', [0, 0.1, 0.9], true);
    const lost = traj('lost', [0.5, -0.5, 0.4], false);
    const uncredited = traj('none', [undefined, undefined, undefined], true);
    expect(pickTrajectory([flat, lost, uneven, uncredited])?.id).toBe('uneven');
    expect(pickTrajectory([lost, uncredited])?.id).toBe('lost');
    expect(pickTrajectory([uncredited])).toBeNull();
    // Without a win, a graded reward beats none (WebShop's partial purchases).
    const partial = { ...traj('partial', [0.1, 0.2, 0.3], false), finalReward: 0.5 };
    expect(pickTrajectory([lost, partial])?.id).toBe('partial');
  });

  it('summarises the last rows of each stage', () => {
    const s = summarise([
      { iteration: 0, stage: 'estimator', 'estimator/mse_heldout': 0.04 },
      { iteration: 1, stage: 'ppo', success_rate: 0.5, grounding_acc: 0.8 },
      { iteration: 1, stage: 'eval', split: 'train', success_rate: 1 },
    ]);
    expect(s).toEqual({ rolloutSuccess: 0.5, evalSuccess: 1, grounding: 0.8, estimatorMse: 0.04 });
    expect(summarise([])).toEqual({ rolloutSuccess: null, evalSuccess: null, grounding: null, estimatorMse: null });
  });

  it('signs numbers for people', () => {
    expect([signed(0.314), signed(-0.05), signed(0), signed(-0.001)]).toEqual(['+0.31', '−0.05', '0', '0']);
  });
});
