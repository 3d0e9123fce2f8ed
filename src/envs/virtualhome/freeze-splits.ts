// Regenerates splits.v1.json from split-gen.ts. Run only when deliberately making a new split
// version (then bump the version in the file name, VIRTUALHOME_VERSION and the test's pins):
//   npx tsx src/envs/virtualhome/freeze-splits.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSplits } from './split-gen';

const lists = generateSplits();
const path = fileURLToPath(new URL('./splits.v1.json', import.meta.url));
writeFileSync(path, JSON.stringify(lists, null, 1) + '\n');
console.log(`wrote ${path}: train ${lists.train.length}, seen-test ${lists['seen-test'].length}, unseen-test ${lists['unseen-test'].length}`);
