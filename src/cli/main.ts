// `stepwise <group> <command> …`: a small table of command groups, each in its own module,
// loaded only when used.

import type { CommandGroup } from './command-group';
import { processIO, UsageError, type CliIO } from './io';

const GROUPS: Record<string, { summary: string; load: () => Promise<CommandGroup> }> = {
  env: {
    summary: 'play, check and score the text environments (household, webshop, virtualhome)',
    load: async () => (await import('./env-commands')).envCommands,
  },
  train: {
    summary: 'train a policy: stepwise train --env household --method spa --seed 1 [--config f.json] [--out dir] [--json]',
    load: async () => (await import('./train')).trainCommands,
  },
  eval: {
    summary: 'evaluate greedily: stepwise eval --policy prior --env <env> --split <split> [--json], or --run <dir>',
    load: async () => (await import('./eval')).evalCommands,
  },
  experiment: {
    summary: 'compare methods over seeds: stepwise experiment --env household --methods spa,outcome,rloo,gigpo,bc --seeds 3 [--out dir] [--json]',
    load: async () => (await import('./experiment')).experimentCommands,
  },
  export: {
    summary: 'write a run\'s trajectories for other tools: stepwise export --run dir --format steps|spa|sharegpt|verl [--out file]',
    load: async () => (await import('./export')).exportCommands,
  },
  import: {
    summary: 'read trajectories into a run directory: stepwise import --format spa --file f.json --into dir',
    load: async () => (await import('./import')).importCommands,
  },
  sft: {
    summary: 'fine-tune the bundled model on expert episodes: stepwise sft [--envs a,b] [--steps N] [--out dir] [--json]',
    load: async () => (await import('./sft-commands')).sftCommands,
  },
};

function usage(): string {
  const lines = ['usage: stepwise <group> <command> [options]', '', 'groups:'];
  for (const [name, g] of Object.entries(GROUPS)) lines.push(`  ${name.padEnd(10)} ${g.summary}`);
  lines.push('', 'Run `stepwise <group> --help` for its commands.');
  return lines.join('\n');
}

/** Runs one command line; resolves with the exit code (0 ok, 1 failed check, 2 bad usage). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [group, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    io.out(usage());
    return group ? 0 : 2;
  }
  const entry = GROUPS[group];
  if (!entry) {
    io.err(`stepwise: unknown command group "${group}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`stepwise ${group}: ${e.message}`);
      return 2;
    }
    io.err(`stepwise ${group}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
