// The webshop environment (WebShop, as SPA used it) for the registry, plus WebShop's reward on
// JSON for `stepwise env reward --webshop-json`.

import type { EnvSpec, SplitName, TaskRef } from '../env';
import { DEFAULT_MAX_STEPS, WEBSHOP_VERSION, WebshopEnv, type WebshopEnvOptions } from './webshop-env';
import { goalIndexOf, splitSizes, taskId } from './splits';
import { catalogueAndGoals } from './world';

export { WebshopEnv, WEBSHOP_VERSION, DEFAULT_MAX_STEPS, type WebshopEnvOptions } from './webshop-env';
export { webshopRewardFromJson, WebshopRewardInputError, type WebshopRewardJsonResult } from './reward-json';

export function createWebshopEnv(opts: WebshopEnvOptions = {}): WebshopEnv {
  return new WebshopEnv(opts);
}

export const webshopSpec: EnvSpec = {
  name: 'webshop',
  version: WEBSHOP_VERSION,
  description:
    'WebShop (Yao et al. 2022) as SPA used it: search and click through a generated 1,200-product store in WebShop\'s text mode, ' +
    "scored by WebShop's exact purchase reward (attributes, options, price and product type).",
  maxSteps: DEFAULT_MAX_STEPS,
  splits: splitSizes(),
  task(split: SplitName, index: number): TaskRef {
    const goalIndex = goalIndexOf(split, index);
    return { id: taskId(goalIndex), label: catalogueAndGoals().goals[goalIndex].instruction_text };
  },
  create: () => new WebshopEnv(),
};
