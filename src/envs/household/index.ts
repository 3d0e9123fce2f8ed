// The household environment's registry entry (ALFWorld through TextWorld's text interface).

import type { EnvSpec, SplitName, TaskRef } from '../env';
import { taskFor } from './generate';
import { HOUSEHOLD_MAX_STEPS, HOUSEHOLD_NAME, HOUSEHOLD_VERSION, HouseholdEnv } from './household-env';
import { FROZEN, taskIdAt } from './splits';

export { HouseholdEnv, HOUSEHOLD_VERSION, NOTHING_HAPPENS } from './household-env';

export const householdSpec: EnvSpec = {
  name: HOUSEHOLD_NAME,
  version: HOUSEHOLD_VERSION,
  description:
    'ALFWorld-style household: procedural kitchens, bathrooms, bedrooms and living rooms; ' +
    'the six ALFWorld task types; TextWorld commands and feedback.',
  maxSteps: HOUSEHOLD_MAX_STEPS,
  splits: {
    train: FROZEN.train.length,
    'seen-test': FROZEN['seen-test'].length,
    'unseen-test': FROZEN['unseen-test'].length,
  },
  task(split: SplitName, index: number): TaskRef {
    const id = taskIdAt(split, index);
    // The label needs the task generated; rollouts only need the id, so build it on demand.
    return {
      id,
      get label() {
        return taskFor(id).label;
      },
    };
  },
  create: () => new HouseholdEnv(),
};
