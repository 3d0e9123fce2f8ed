// The attention kernel cases (attention.cases.ts) on Dawn in Node; e2e/kernels.spec.ts runs the same cases in Chromium.
import { runCases } from './cases/vitest';
import cases from './attention.cases';

runCases(cases);
