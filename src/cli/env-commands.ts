// `stepwise env play|check|reward|list`. Scripts outside the project call these exact forms:
//   stepwise env play --env <name> [--split <split>] --task <index> --seed <n> [--expert | --actions <file>] [--json]
//   stepwise env check --env <name> --split <split> [--seed <n>] [--json]
//   stepwise env reward --webshop-json <file>

import { parseArgs } from 'node:util';
import type { EnvSpec, SplitName } from '../envs/env';
import { formatTranscript, playEpisode, type Policy } from '../envs/play';
import { envNames, getEnvSpec } from '../envs/registry';
import { webshopRewardFromJson } from '../envs/webshop/reward-json';
import type { CommandGroup } from './command-group';
import { UsageError, type CliIO } from './io';

const USAGE = {
  play: 'stepwise env play --env <name> [--split <split>] --task <index> --seed <n> [--expert | --actions <file>] [--json]',
  check: 'stepwise env check --env <name> --split <split> [--seed <n>] [--json]',
  reward: 'stepwise env reward --webshop-json <file>',
  list: 'stepwise env list [--json]',
} as const;

function help(): string {
  return [
    'usage:',
    ...Object.values(USAGE).map((u) => '  ' + u),
    '',
    'play    plays one episode and prints the transcript and the final reward. --task is the 0-based',
    '        index within --split (default train). --expert lets the expert act; --actions reads one',
    '        action per line (blank lines skipped) and stops at the end of the file or of the episode;',
    '        with neither, actions are read from standard input, or asked for when it is a terminal',
    '        (there, type :expert to let the expert take the next step).',
    'check   runs the expert over every task of a split: {tasks, solved, success_rate}; exit code 1',
    '        unless every task is solved.',
    'reward  scores one purchase with WebShop\'s get_reward (file in WebShop\'s field names); prints JSON.',
    'list    the environments, their versions and split sizes.',
  ].join('\n');
}

type Flags = Record<string, string | boolean | undefined>;

function parse(command: keyof typeof USAGE, args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Flags {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return values as Flags;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(`${msg}\nusage: ${USAGE[command]}`);
  }
}

function required(flags: Flags, name: string, command: keyof typeof USAGE): string {
  const v = flags[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`missing --${name}\nusage: ${USAGE[command]}`);
  return v;
}

function nonNegativeInt(text: string, name: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
  }
  return Number(text);
}

function envSpec(name: string): EnvSpec {
  try {
    return getEnvSpec(name);
  } catch {
    throw new UsageError(`unknown environment "${name}"; choose one of: ${envNames().join(', ')}`);
  }
}

function split(spec: EnvSpec, name: string): SplitName {
  const have = Object.keys(spec.splits);
  if (!have.includes(name)) throw new UsageError(`${spec.name} has no split "${name}"; its splits are: ${have.join(', ')}`);
  return name as SplitName;
}

function taskIndex(spec: EnvSpec, sp: SplitName, text: string): number {
  const index = nonNegativeInt(text, 'task');
  const size = spec.splits[sp] ?? 0;
  if (index >= size) throw new UsageError(`--task ${index} is out of range: ${spec.name} ${sp} has tasks 0..${size - 1}`);
  return index;
}

function actionLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim().length > 0);
}

async function play(args: string[], io: CliIO): Promise<number> {
  const f = parse('play', args, {
    env: { type: 'string' },
    split: { type: 'string' },
    task: { type: 'string' },
    seed: { type: 'string' },
    expert: { type: 'boolean' },
    actions: { type: 'string' },
    json: { type: 'boolean' },
  });
  const spec = envSpec(required(f, 'env', 'play'));
  const sp = split(spec, typeof f.split === 'string' ? f.split : 'train');
  const index = taskIndex(spec, sp, required(f, 'task', 'play'));
  const seed = nonNegativeInt(required(f, 'seed', 'play'), 'seed');
  if (f.expert && f.actions !== undefined) throw new UsageError(`--expert and --actions cannot be used together\nusage: ${USAGE.play}`);
  let policy: Policy;
  if (f.expert) policy = { kind: 'expert' };
  else if (typeof f.actions === 'string') {
    let text: string;
    try {
      text = io.readFile(f.actions);
    } catch (e) {
      throw new UsageError(`cannot read --actions file "${f.actions}": ${e instanceof Error ? e.message : String(e)}`);
    }
    policy = { kind: 'actions', actions: actionLines(text) };
  } else {
    const stdin = io.readStdin();
    if (stdin === null) return interactive(spec, sp, index, seed, io);
    policy = { kind: 'actions', actions: actionLines(stdin) };
  }
  const t = playEpisode(spec, sp, index, seed, policy);
  io.out(f.json ? JSON.stringify(t, null, 2) : formatTranscript(t));
  return 0;
}

/** Play by hand in a terminal: shows the observation and the admissible actions, reads a line. */
async function interactive(spec: EnvSpec, sp: SplitName, index: number, seed: number, io: CliIO): Promise<number> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const env = spec.create();
  const ref = spec.task(sp, index);
  io.out(`# ${spec.name} ${sp} task ${index} seed ${seed}: ${ref.label}\n`);
  io.out(env.reset(ref.id, seed).text);
  let total = 0;
  let steps = 0;
  let won = false;
  try {
    for (;;) {
      io.out(`\nadmissible: ${env.admissibleActions().join(' | ')}`);
      let line: string;
      try {
        line = await rl.question('> ');
      } catch {
        break; // input closed
      }
      if (line === ':expert') line = env.expert() ?? '';
      const r = env.step(line);
      steps++;
      total += r.reward;
      won = r.won;
      io.out(r.observation.text + (r.valid ? '' : '  [invalid]'));
      if (r.done) break;
    }
  } finally {
    rl.close();
  }
  io.out(`\nreward: ${total}  won: ${won}  steps: ${steps}`);
  return 0;
}

async function check(args: string[], io: CliIO): Promise<number> {
  const f = parse('check', args, {
    env: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  const spec = envSpec(required(f, 'env', 'check'));
  const sp = split(spec, required(f, 'split', 'check'));
  const seed = typeof f.seed === 'string' ? nonNegativeInt(f.seed, 'seed') : 0;
  const tasks = spec.splits[sp] ?? 0;
  const failed: number[] = [];
  for (let i = 0; i < tasks; i++) {
    if (!playEpisode(spec, sp, i, seed, { kind: 'expert' }).won) failed.push(i);
  }
  const solved = tasks - failed.length;
  const result = { tasks, solved, success_rate: tasks ? solved / tasks : 0, env: spec.name, split: sp, seed, failed };
  if (f.json) io.out(JSON.stringify(result));
  else {
    io.out(`${spec.name} ${sp} (seed ${seed}): expert solved ${solved}/${tasks} (${(100 * result.success_rate).toFixed(1)}%)`);
    if (failed.length) io.out(`failed task indices: ${failed.slice(0, 50).join(', ')}${failed.length > 50 ? ', …' : ''}`);
  }
  return failed.length === 0 && tasks > 0 ? 0 : 1;
}

async function reward(args: string[], io: CliIO): Promise<number> {
  const f = parse('reward', args, { 'webshop-json': { type: 'string' } });
  const file = required(f, 'webshop-json', 'reward');
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read --webshop-json file "${file}": ${e instanceof Error ? e.message : String(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--webshop-json file "${file}" is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let result;
  try {
    result = webshopRewardFromJson(doc);
  } catch (e) {
    throw new UsageError(`--webshop-json file "${file}": ${e instanceof Error ? e.message : String(e)}`);
  }
  io.out(JSON.stringify(result));
  return 0;
}

async function list(args: string[], io: CliIO): Promise<number> {
  const f = parse('list', args, { json: { type: 'boolean' } });
  const rows = envNames().map((n) => {
    const s = getEnvSpec(n);
    return { name: s.name, version: s.version, maxSteps: s.maxSteps, splits: s.splits, description: s.description };
  });
  if (f.json) io.out(JSON.stringify(rows, null, 2));
  else {
    for (const r of rows) {
      const splits = Object.entries(r.splits).map(([k, v]) => `${k} ${v}`).join(', ');
      io.out(`${r.name}  (max ${r.maxSteps} steps; ${splits})\n  ${r.description}\n  version: ${r.version}`);
    }
  }
  return 0;
}

const COMMANDS: Record<string, (args: string[], io: CliIO) => Promise<number>> = { play, check, reward, list };

export const envCommands: CommandGroup = {
  summary: 'play, check and score the text environments',
  async run(args, io) {
    const [cmd, ...rest] = args;
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.out(help());
      return cmd ? 0 : 2;
    }
    const fn = COMMANDS[cmd];
    if (!fn) throw new UsageError(`unknown command "env ${cmd}"\n${help()}`);
    return fn(rest, io);
  },
};
