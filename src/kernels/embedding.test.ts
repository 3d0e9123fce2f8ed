// The embedding kernel cases (embedding.cases.ts) on Dawn in Node; e2e/kernels.spec.ts runs the same cases in Chromium.
import { runCases } from './cases/vitest';
import cases from './embedding.cases';

runCases(cases);
