import { describe, expect, it } from 'vitest';
import { outcomeOf, outcomeText } from './outcome';

describe('episode outcome wording', () => {
  it('calls a won episode solved, a paid but lost one partly solved, and one without reward failed', () => {
    expect(outcomeOf({ won: true, finalReward: 1 })).toBe('solved');
    expect(outcomeOf({ won: false, finalReward: 0.8 })).toBe('partly-solved');
    expect(outcomeOf({ won: false, finalReward: 0 })).toBe('failed');
    expect(outcomeOf({ won: false, finalReward: -0.5 })).toBe('failed');
    expect(outcomeOf({ won: false, finalReward: Number.NaN })).toBe('failed');
  });

  it('writes the outcome with the final reward', () => {
    expect(outcomeText({ won: false, finalReward: 0.8 })).toBe('partly solved · R 0.80');
    expect(outcomeText({ won: true, finalReward: 1 })).toBe('solved · R 1.00');
    expect(outcomeText({ won: false, finalReward: 0 })).toBe('failed · R 0.00');
  });
});
