// What a command group module exports for main.ts's table. Its own module, so that main.ts (which
// loads the groups) and the groups (which implement this) do not import each other.

import type { CliIO } from './io';

export interface CommandGroup {
  summary: string;
  run(args: string[], io: CliIO): Promise<number>;
}
