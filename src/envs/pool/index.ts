// The env worker pool. Spawners live in their own modules so that the browser bundle never
// sees node:worker_threads: use `browserSpawner` from './spawn-browser' in the page and
// `nodeSpawner` from './spawn-node' in Node.

export { EnvPool, PoolError } from './pool';
export type { PoolOptions, SlotOp, SlotOutcome, SlotReset, SlotStep, SlotTask } from './pool';
export type { Extras, Spawner, WorkerPort } from './pool';
