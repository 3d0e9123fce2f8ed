// Writes the e2e data files (e2e/data/) from fixture-data.ts. The specs read the files, not the
// generator: Playwright's loader cannot import the env registry's JSON. Run after changing the
// generator: npx tsx e2e/make-fixtures.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBundles, stepsJsonl, trajectoriesFixture, XSS } from './fixture-data';

const dir = new URL('./data/', import.meta.url);
mkdirSync(dir, { recursive: true });
const trajs = trajectoriesFixture();
writeFileSync(new URL('household-fixture.jsonl', dir), stepsJsonl(trajs));
writeFileSync(new URL('trajectories.json', dir), JSON.stringify({ xss: XSS, trajectories: trajs }));
writeFileSync(new URL('runs.json', dir), runBundles());
console.log('wrote', new URL('.', dir).pathname);
