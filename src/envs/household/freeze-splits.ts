// Writes splits.v1.json from the generator. Run once per split version:
//   npx tsx src/envs/household/freeze-splits.ts
// The splits are frozen: after a release, change the generator only together with a new
// splits file and version, never by rewriting this one.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freezeSplits } from './splits';

const s = freezeSplits();
const line = (xs: number[]): string => JSON.stringify(xs);
const text = `{
  "version": ${s.version},
  "generator": ${s.generator},
  "train": ${line(s.train)},
  "seen-test": ${line(s['seen-test'])},
  "unseen-test": ${line(s['unseen-test'])}
}
`;
const out = fileURLToPath(new URL('./splits.v1.json', import.meta.url));
writeFileSync(out, text);
console.log(`wrote ${out}: train ${s.train.length}, seen-test ${s['seen-test'].length}, unseen-test ${s['unseen-test'].length}`);
