// Every number in WGSL that is a size, stride, slot, tile or offset has a name: a constant
// emitted from TypeScript (the kernel module that owns the layout), a shaders/lib/ constant, an
// override or a uniform. This scans the shader files as written and fails on unnamed ones.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emittedPartNames, shaderConstants, shaderSource } from '../gpu/shader-source';

// Every kernel module, so that every layout they emit is declared.
const kernels = import.meta.glob(['./*.ts', '!./*.test.ts', '!./*.cases.ts'], { eager: true });

const SHADERS = join(process.cwd(), 'shaders');

export interface Finding {
  line: number;
  text: string;
  why: string;
}

/** Code without comments, line structure kept. */
function stripComments(src: string): string[] {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).split('\n').map((l) => l.replace(/\/\/.*$/, ''));
}

// A WGSL numeric literal: hex or decimal floats (with a point, an exponent or an f/h suffix) and
// integers (decimal or hex, optional u/i suffix).
const NUMBER = /(?<![\w.])(?:0[xX](?:[0-9a-fA-F]*\.[0-9a-fA-F]*(?:[pP][+-]?\d+)?[fh]?|[0-9a-fA-F]+[pP][+-]?\d+[fh]?|[0-9a-fA-F]+[iu]?)|\d*\.\d+(?:[eE][+-]?\d+)?[fh]?|\d+\.\d*(?:[eE][+-]?\d+)?[fh]?|\d+[eE][+-]?\d+[fh]?|\d+[fh]|\d+[iu]?)(?![\w.])/g;
const INTEGER = /^(?:0[xX][0-9a-fA-F]+|\d+)[iu]?$/;

/**
 * Unnamed literal sizes in one WGSL file. `lib` files may give numbers names (`const VEC4 = 4u;`);
 * shaders may not declare integer constants at all (those come from TS or a lib part). Integers
 * 0, 1 and 2 are maths, except as an array length or a slot constant. Binding and group numbers
 * are positions, not sizes.
 */
export function unnamedLiterals(src: string, lib: boolean): Finding[] {
  const out: Finding[] = [];
  stripComments(src).forEach((raw, i) => {
    const code = raw.replace(/@(?:binding|group)\(\s*\d+\s*\)/g, '');
    const line = i + 1, text = raw.trim();
    // A lib part's constants are where such numbers get their names.
    if (lib && /^\s*const\s+\w+/.test(code)) return;
    if (/^\s*const\s+\w+\s*(?::\s*[iu]32\s*)?=\s*(?:0[xX][0-9a-fA-F]+|\d+)[iu]?\s*;/.test(code)) {
      out.push({ line, text, why: 'integer constant declared in a shader (declare it in TS and emit it, or in shaders/lib/)' });
      return;
    }
    for (const m of code.matchAll(/array<\s*\w+\s*,\s*((?:0[xX][0-9a-fA-F]+|\d+)[iu]?)\s*>/g)) {
      out.push({ line, text, why: `array length ${m[1]} is a literal` });
    }
    for (const m of code.matchAll(NUMBER)) {
      if (!INTEGER.test(m[0])) continue;
      const v = Number.parseInt(m[0].replace(/[iu]$/, ''), m[0].startsWith('0x') || m[0].startsWith('0X') ? 16 : 10);
      if (v > 2) out.push({ line, text, why: `unnamed integer ${m[0]}` });
    }
  });
  return out;
}

function wgslFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.wgsl')).sort();
}

describe('the scanner', () => {
  it('flags metric slots, array sizes, workgroup sizes, offsets and shader-local integer constants', () => {
    const bad = [
      'metrics[14u] = 0.0;',
      'var<workgroup> As: array<vec4f, 256>;',
      'var acc: array<f32, 2>;',
      '@compute @workgroup_size(16, 16)',
      'grads[g + 3u] = 0.0;',
      'const LP: u32 = 0u;',
      'const STAT_STRIDE = 16u;',
      'override WG: u32 = 64u;',
      'let m = x & 0xffu;',
    ];
    for (const line of bad) expect(unnamedLiterals(line, false).length, line).toBeGreaterThan(0);
  });

  it('lets maths, floats, named sizes, bindings and lib constants through', () => {
    const good = [
      '@group(0) @binding(7) var<storage, read_write> dscore: array<f32>;',
      'grads[g + GRAD_KL] = gKL; x[i + 1u] = 2.0 * y; let h = WG / 2u;',
      'const NORM_EPS: f32 = 1e-6; const LOWEST: f32 = -0x1.fffffep+127f; let a = 0.044715 * z + 3.0;',
      'var<workgroup> tree: array<f32, WG>; var acc: array<f32, MAX_DPT>;',
      '@compute @workgroup_size(1)',
      '// a comment with 256 and metrics[14u]',
      '/* block 64u */ let y = x;',
    ];
    for (const line of good) expect(unnamedLiterals(line, false), line).toEqual([]);
    expect(unnamedLiterals('const VEC4: u32 = 4u;\nconst LANE4 = vec4u(0u, 1u, 2u, 3u);', true)).toEqual([]);
    expect(unnamedLiterals('fn f() -> u32 { return 8u; }', true)).toHaveLength(1);
  });
});

describe('shaders/', () => {
  it('has no unnamed literal sizes', () => {
    const findings: string[] = [];
    for (const f of wgslFiles(SHADERS)) {
      for (const x of unnamedLiterals(readFileSync(join(SHADERS, f), 'utf8'), false)) findings.push(`shaders/${f}:${x.line}: ${x.why}: ${x.text}`);
    }
    for (const f of wgslFiles(join(SHADERS, 'lib'))) {
      for (const x of unnamedLiterals(readFileSync(join(SHADERS, 'lib', f), 'utf8'), true)) findings.push(`shaders/lib/${f}:${x.line}: ${x.why}: ${x.text}`);
    }
    expect(findings).toEqual([]);
  });

  it('declares no name that TypeScript emits, so a layout has one source', () => {
    expect(Object.keys(kernels).length).toBeGreaterThan(0);
    const emitted = new Map<string, string>();
    for (const part of emittedPartNames()) for (const k of Object.keys(shaderConstants(part) ?? {})) emitted.set(k, part);
    expect(emitted.get('M_VALUES_MEAN')).toBe('ppo.layout');
    const clashes: string[] = [];
    for (const f of [...wgslFiles(SHADERS), ...wgslFiles(join(SHADERS, 'lib')).map((x) => `lib/${x}`)]) {
      for (const m of readFileSync(join(SHADERS, f), 'utf8').matchAll(/^\s*(?:const|override)\s+(\w+)/gm)) {
        if (emitted.has(m[1])) clashes.push(`shaders/${f}: ${m[1]} is emitted by "${emitted.get(m[1])}"`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('every shader expands with the kernel modules loaded', async () => {
    for (const f of wgslFiles(SHADERS)) {
      const code = await shaderSource(f.replace(/\.wgsl$/, ''));
      expect(code, f).not.toMatch(/^\s*#include/m);
    }
  });
});
