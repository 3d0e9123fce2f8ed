// The folders are the architecture: each layer imports only the layers before it, tests included,
// and no set of files imports itself round in a circle. This reads every import of every file
// under src (static, type-only, dynamic, and worker entries named by new URL(..., import.meta.url))
// and checks both rules.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

export const LAYERS = ['core', 'gpu', 'kernels', 'nn', 'envs', 'policy', 'rl', 'run', 'ui', 'cli'] as const;

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = /\.(ts|mts|mjs|js)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names, or null when it leaves src or names no source file. */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  if (relative(SRC, base).startsWith('..')) return null;
  // Data files (JSON fixtures) resolve too; they import nothing, so they only ever end a path.
  for (const candidate of [base, `${base}.ts`, `${base}.mjs`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Modules named by `new URL('./x.ts', import.meta.url)`: worker entries, which a bundler follows
 * like imports. Read from the syntax tree, so a mention in a comment does not count.
 */
function urlReferences(text: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [first, second] = node.arguments ?? [];
      if (first && ts.isStringLiteralLike(first) && second?.getText() === 'import.meta.url') out.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true));
  return out;
}

/** Every relative import of a file, resolved; `unresolved` lists specifiers that name nothing. */
function importsOf(file: string): { targets: string[]; unresolved: string[] } {
  const text = readFileSync(file, 'utf8');
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  specifiers.push(...urlReferences(text).filter((s) => SOURCE.test(s)));
  const targets: string[] = [];
  const unresolved: string[] = [];
  for (const s of specifiers) {
    if (!s.startsWith('.')) continue;
    const target = resolveSpecifier(file, s);
    if (target) targets.push(target);
    else if (!relative(SRC, resolve(dirname(file), s)).startsWith('..')) unresolved.push(s);
  }
  return { targets, unresolved };
}

function layerOf(file: string): string {
  return relative(SRC, file).split(/[\\/]/)[0];
}

const name = (file: string): string => relative(SRC, file).replaceAll('\\', '/');

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.map(name).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('layering', () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f)] as const));

  it('reads a real tree: every layer folder holds files, and relative imports all resolve', () => {
    for (const layer of ['core', 'gpu', 'kernels', 'nn', 'envs', 'policy', 'ui', 'cli']) {
      expect(files.some((f) => layerOf(f) === layer), `src/${layer} has no source files`).toBe(true);
    }
    const unresolved = [...graph].flatMap(([f, { unresolved }]) => unresolved.map((s) => `${name(f)}: '${s}'`));
    expect(unresolved).toEqual([]);
    // One edge of each kind the reader must see: a static import, a type-only import, a dynamic
    // import() and a worker entry named by new URL().
    const has = (from: string, to: string): boolean => (graph.get(join(SRC, from))?.targets ?? []).includes(join(SRC, to));
    expect(has('envs/pool/spawn-node.ts', 'core/worker/node.ts')).toBe(true);
    expect(has('cli/main.ts', 'cli/command-group.ts')).toBe(true);
    expect(has('cli/main.ts', 'cli/env-commands.ts')).toBe(true);
    expect(has('policy/backbone-node.ts', 'policy/backbone.node-worker.ts')).toBe(true);
  });

  it(`every file sits in a layer and imports only earlier layers (${LAYERS.join(' → ')})`, () => {
    const order = new Map<string, number>(LAYERS.map((l, i) => [l, i]));
    const outside = files.filter((f) => !order.has(layerOf(f))).map(name);
    expect(outside, 'files outside the layer folders (add the folder to LAYERS in its place)').toEqual([]);
    const violations: string[] = [];
    for (const [file, { targets }] of graph) {
      const from = order.get(layerOf(file))!;
      for (const t of targets) {
        if (order.get(layerOf(t))! > from) violations.push(`${name(file)} imports ${name(t)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles', () => {
    const edges = new Map([...graph].map(([f, { targets }]) => [f, targets] as const));
    expect(cycles(edges)).toEqual([]);
  });

  it('the cycle finder finds cycles and the layer rule would catch an upward import', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cycles(g).map((c) => c.length).sort()).toEqual([1, 3]);
    expect(LAYERS.indexOf('core')).toBeLessThan(LAYERS.indexOf('gpu'));
    expect(LAYERS.indexOf('policy')).toBeLessThan(LAYERS.indexOf('rl'));
  });
});
