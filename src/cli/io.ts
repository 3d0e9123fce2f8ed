// What a CLI command may touch of the outside world, so tests can run commands in-process.

import { readFileSync } from 'node:fs';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
  /** All of standard input, or null when it is an interactive terminal. */
  readStdin(): string | null;
}

export const processIO: CliIO = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  readFile: (p) => readFileSync(p, 'utf8'),
  readStdin: () => (process.stdin.isTTY ? null : readFileSync(0, 'utf8')),
};

/** A usage error: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
