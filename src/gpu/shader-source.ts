// WGSL sources live as plain files in shaders/ (shared fragments in shaders/lib/). Under Vite (the
// app, vitest) they are inlined at build time with `?raw`; under plain Node (the CLI, bundled
// benchmarks) they are read from disk.
//
// WGSL has no modules, so the loader adds one directive: a line `#include "name"` is replaced by
// the named part, once per shader (a second include of the same part is dropped, so parts may
// include each other freely; a cycle is an error). A part is either
//   - a file, shaders/<name>.wgsl (e.g. "lib/activation"), or
//   - constants emitted from TypeScript by `defineShaderConstants(name, …)`: layout numbers (strides,
//     slots, tile sizes) are declared once in the kernel's TS module and reach WGSL as `const`s, so
//     the two cannot disagree.
// The expanded text keeps a map from each of its lines to the file and line it came from, so a
// compile error names the fragment that holds the mistake, not a line of the expansion.

type Glob = Record<string, string>;

function viteShaders(): Glob | undefined {
  try {
    // import.meta.glob is replaced by Vite at build time; elsewhere it is undefined and throws.
    return import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Glob;
  } catch {
    return undefined;
  }
}

/** Files by name relative to shaders/, without `.wgsl` ("ppo", "lib/activation"). */
const bundled = new Map<string, string>();
for (const [path, code] of Object.entries(viteShaders() ?? {})) {
  bundled.set(path.replace(/^.*?\/shaders\//, '').replace(/\.wgsl$/, ''), code);
}

const fromDisk = new Map<string, string>();

/** Names of the top-level shaders known to the bundle (empty outside Vite); shaders/lib/ parts are not shaders. */
export function bundledShaderNames(): string[] {
  return [...bundled.keys()].filter((n) => !n.includes('/')).sort();
}

// ---------------------------------------------------------------------------------------------
// Constants emitted from TypeScript.

interface EmittedPart {
  text: string;
  values: Readonly<Record<string, number>>;
}

const emitted = new Map<string, EmittedPart>();

/** The label compile errors give to lines emitted from TypeScript. */
export function emittedPartLabel(name: string): string {
  return `<${name}: constants emitted from TypeScript>`;
}

function u32Literal(v: number, what: string): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what}: ${v} is not a u32`);
  return `${v}u`;
}

function constantLine(name: string, value: number, part: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`Shader constants "${part}": "${name}" is not a WGSL identifier`);
  return `const ${name}: u32 = ${u32Literal(value, `Shader constants "${part}": ${name}`)};`;
}

/**
 * Declares the part `name` (included as `#include "name"`) as WGSL `const`s of type u32 with these values.
 * Called at the top level of the kernel module that owns the numbers, so importing the module is
 * what makes the part known. Declaring it again with the same values is harmless (hot reload, a
 * second bundle); with other values it throws: two sources for one layout is the bug this prevents.
 */
export function defineShaderConstants(name: string, values: Readonly<Record<string, number>>): void {
  if (bundled.has(name)) throw new Error(`Shader constants "${name}": shaders/${name}.wgsl already has that name`);
  const text = Object.entries(values).map(([k, v]) => constantLine(k, v, name)).join('\n');
  const old = emitted.get(name);
  if (old && old.text !== text) throw new Error(`Shader constants "${name}" declared twice with different values:\n${old.text}\n---\n${text}`);
  emitted.set(name, { text, values: { ...values } });
}

/** The values of an emitted part, or undefined if no loaded module declared it. */
export function shaderConstants(name: string): Readonly<Record<string, number>> | undefined {
  return emitted.get(name)?.values;
}

/** Names of every emitted part declared so far. */
export function emittedPartNames(): string[] {
  return [...emitted.keys()].sort();
}

// ---------------------------------------------------------------------------------------------
// Expansion.

/** Where a line of an expanded shader came from (1-based line, as compile messages count). */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface ExpandedShader {
  /** WGSL ready for createShaderModule. */
  code: string;
  /** For each line of `code` (index 0 = line 1), its origin. */
  lines: readonly SourceLocation[];
}

/** Origin of line `line` (1-based) of an expansion; past the end, the last line's file. */
export function locateLine(shader: ExpandedShader, line: number): SourceLocation {
  return shader.lines[line - 1] ?? { file: shader.lines.at(-1)?.file ?? '?', line };
}

/** A part's text and the label errors use for it, or undefined when there is no such part. */
export type PartReader = (name: string) => { text: string; file: string } | undefined;

const INCLUDE = /^\s*#include\s+"([^"]+)"\s*(?:\/\/.*)?$/;

export class ShaderIncludeError extends Error {
  override readonly name = 'ShaderIncludeError';
}

/**
 * Expands `#include` lines of part `name` using `read`. Pure (no I/O), so it is what the tests
 * drive with parts of their own; `expandedShader` runs it over the real files and emitted parts.
 */
export function expandShader(name: string, read: PartReader): ExpandedShader {
  const out: string[] = [];
  const lines: SourceLocation[] = [];
  const done = new Set<string>();
  const visit = (part: string, stack: string[], from?: SourceLocation): void => {
    if (stack.includes(part)) {
      throw new ShaderIncludeError(`Shader include cycle: ${[...stack, part].join(' → ')}${from ? ` (at ${from.file}:${from.line})` : ''}`);
    }
    if (done.has(part)) return;
    const src = read(part);
    if (!src) {
      const at = from ? `${from.file}:${from.line}: ` : '';
      throw new ShaderIncludeError(
        `${at}Unknown shader part "${part}": no shaders/${part}.wgsl and no constants of that name declared from TypeScript ` +
        `(import the kernel module that calls defineShaderConstants("${part}", …))`,
      );
    }
    done.add(part);
    src.text.split('\n').forEach((text, i) => {
      const here = { file: src.file, line: i + 1 };
      const m = INCLUDE.exec(text);
      if (m) {
        visit(m[1], [...stack, part], here);
        return;
      }
      out.push(text);
      lines.push(here);
    });
  };
  visit(name, []);
  return { code: out.join('\n'), lines };
}

async function readFile(name: string): Promise<string | undefined> {
  const hit = bundled.get(name) ?? fromDisk.get(name);
  if (hit !== undefined) return hit;
  if (typeof process === 'undefined' || !process.versions?.node) return undefined;
  const fs = await import(/* @vite-ignore */ 'node:' + 'fs/promises');
  const dir = process.env.STEPWISE_SHADER_DIR ?? new URL(/* @vite-ignore */ '../../shaders/', import.meta.url);
  const url = typeof dir === 'string' ? `${dir.replace(/\/$/, '')}/${name}.wgsl` : new URL(`${name}.wgsl`, dir);
  try {
    const code = await fs.readFile(url, 'utf8');
    fromDisk.set(name, code);
    return code;
  } catch {
    return undefined;
  }
}

/** Every file part `name` includes, read ahead so that the expansion itself stays synchronous. */
async function preload(name: string, seen = new Set<string>()): Promise<void> {
  if (seen.has(name) || emitted.has(name)) return;
  seen.add(name);
  const text = await readFile(name);
  if (text === undefined) return;
  for (const line of text.split('\n')) {
    const m = INCLUDE.exec(line);
    if (m) await preload(m[1], seen);
  }
}

function knownPart(name: string): { text: string; file: string } | undefined {
  const e = emitted.get(name);
  if (e) return { text: e.text, file: emittedPartLabel(name) };
  const f = bundled.get(name) ?? fromDisk.get(name);
  return f === undefined ? undefined : { text: f, file: `${name}.wgsl` };
}

/** shaders/<name>.wgsl with its includes expanded, and where each line came from. */
export async function expandedShader(name: string): Promise<ExpandedShader> {
  if (name.startsWith('lib/')) throw new Error(`Unknown shader "${name}": shaders/lib/ holds parts for #include, not shaders`);
  await preload(name);
  if (knownPart(name) === undefined) {
    const known = bundledShaderNames();
    throw new Error(`Unknown shader "${name}": no shaders/${name}.wgsl in this build${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  return expandShader(name, knownPart);
}

/** The WGSL text of shaders/<name>.wgsl, includes expanded. */
export async function shaderSource(name: string): Promise<string> {
  return (await expandedShader(name)).code;
}

/** The text of one file under shaders/ as written, without expansion (for source checks). */
export async function shaderFile(name: string): Promise<string | undefined> {
  return readFile(name);
}
