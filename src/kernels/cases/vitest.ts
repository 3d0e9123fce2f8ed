// Runs a case list under vitest, keeping its describe blocks, so `npx vitest run
// src/kernels/x.test.ts` reports the same tree it always did.

import { describe, it } from 'vitest';
import type { KernelCase } from './suite';

export function runCases(cases: readonly KernelCase[]): void {
  const emit = (list: readonly KernelCase[], depth: number): void => {
    let i = 0;
    while (i < list.length) {
      const c = list[i];
      if (c.path.length === depth) {
        it(c.name, () => c.run());
        i++;
        continue;
      }
      const group = c.path[depth];
      const members: KernelCase[] = [];
      // Consecutive cases under the same block form one describe, as they were declared.
      while (i < list.length && list[i].path.length > depth && list[i].path[depth] === group) members.push(list[i++]);
      describe(group, () => emit(members, depth + 1));
    }
  };
  emit(cases, 0);
}
