// VirtualHome (the evolving-graph executor SPA-RL used), as a Stepwise environment.

import type { EnvSpec } from '../env';
import { SPLITS, taskRef } from './splits';
import { TEMPLATES } from './templates';
import { MAX_STEPS, VIRTUALHOME_VERSION, VirtualHomeEnv } from './virtualhome-env';

export { VirtualHomeEnv, MAX_STEPS, NOTHING_HAPPENS, VIRTUALHOME_VERSION } from './virtualhome-env';
export { SPLITS, canonicalSplit } from './splits';

export const virtualhomeSpec: EnvSpec = {
  name: 'virtualhome',
  version: VIRTUALHOME_VERSION,
  description:
    'VirtualHome household programs on the evolving-graph executor, as in SPA-RL: natural-language ' +
    'actions ("walk to kitchen", "put cup on table"), scene graphs of rooms and objects with states ' +
    `and relations, success when the target graph predicates hold. ${TEMPLATES.length} everyday task ` +
    'templates, seven apartment families; seen/unseen test splits of 247 tasks each.',
  maxSteps: MAX_STEPS,
  splits: {
    train: SPLITS.train.length,
    'seen-test': SPLITS['seen-test'].length,
    'unseen-test': SPLITS['unseen-test'].length,
  },
  task: (split, index) => taskRef(split, index),
  create: () => new VirtualHomeEnv(),
};
