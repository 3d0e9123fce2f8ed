import { describe, expect, it } from 'vitest';
import { PipelineCache, ShaderCompileError } from '.';
import {
  defineShaderConstants, emittedPartLabel, expandedShader, expandShader, locateLine, shaderConstants, shaderSource,
  ShaderIncludeError, type PartReader,
} from './shader-source';
import { testGpu } from './testing';

function reader(parts: Record<string, string>): PartReader {
  return (name) => (name in parts ? { text: parts[name], file: `${name}.wgsl` } : undefined);
}

describe('#include expansion', () => {
  it('replaces include lines by the part, once per shader, and maps every line back to its file', () => {
    const parts = {
      main: '// main\n#include "lib/a"\n#include "lib/b"\nfn main() {}',
      'lib/a': 'const A: u32 = 1u;',
      'lib/b': '#include "lib/a"\nconst B: u32 = A;\n',
    };
    const e = expandShader('main', reader(parts));
    expect(e.code).toBe('// main\nconst A: u32 = 1u;\nconst B: u32 = A;\n\nfn main() {}');
    expect(e.lines).toEqual([
      { file: 'main.wgsl', line: 1 }, { file: 'lib/a.wgsl', line: 1 }, { file: 'lib/b.wgsl', line: 2 },
      { file: 'lib/b.wgsl', line: 3 }, { file: 'main.wgsl', line: 4 },
    ]);
    expect(locateLine(e, 5)).toEqual({ file: 'main.wgsl', line: 4 });
  });

  it('names the including file and line of an unknown part, and reports cycles', () => {
    expect(() => expandShader('main', reader({ main: 'x\n  #include "nope"' }))).toThrow(/main\.wgsl:2: Unknown shader part "nope"/);
    const cyc = reader({ main: '#include "lib/a"', 'lib/a': '#include "lib/b"', 'lib/b': '#include "lib/a"' });
    expect(() => expandShader('main', cyc)).toThrow(ShaderIncludeError);
    expect(() => expandShader('main', cyc)).toThrow(/cycle: main → lib\/a → lib\/b → lib\/a \(at lib\/b\.wgsl:1\)/);
  });

  it('leaves lines that only mention #include inside a comment or string alone', () => {
    const e = expandShader('main', reader({ main: '// #include "x"\nfn f() {}' }));
    expect(e.code).toBe('// #include "x"\nfn f() {}');
  });
});

describe('constants emitted from TypeScript', () => {
  it('become u32 consts that a shader includes by name', async () => {
    defineShaderConstants('test.layout', { STRIDE: 16, SLOT_A: 0, SLOT_B: 15 });
    expect(shaderConstants('test.layout')).toEqual({ STRIDE: 16, SLOT_A: 0, SLOT_B: 15 });
    const e = expandShader('main', (n) => n === 'main' ? { text: '#include "test.layout"\nfn f() {}', file: 'main.wgsl' }
      : n === 'test.layout' ? { text: 'const STRIDE: u32 = 16u;', file: emittedPartLabel(n) } : undefined);
    expect(e.lines[0].file).toBe('<test.layout: constants emitted from TypeScript>');
    // The real loader: a bundled shader including them.
    await expect(shaderSource('reduce')).resolves.toContain('const VEC4: u32 = 4u;');
  });

  it('refuses a second declaration with other values, non-u32 values and bad names', () => {
    defineShaderConstants('test.twice', { N: 3 });
    expect(() => defineShaderConstants('test.twice', { N: 3 })).not.toThrow();
    expect(() => defineShaderConstants('test.twice', { N: 4 })).toThrow(/declared twice with different values/);
    expect(() => defineShaderConstants('test.bad', { N: 1.5 })).toThrow(/1\.5 is not a u32/);
    expect(() => defineShaderConstants('test.bad', { N: -1 })).toThrow(/is not a u32/);
    expect(() => defineShaderConstants('test.bad', { 'a-b': 1 })).toThrow(/not a WGSL identifier/);
    expect(() => defineShaderConstants('lib/lanes', { N: 1 })).toThrow(/already has that name/);
  });

  it('an unknown shader and a lib part asked for as a shader are errors', async () => {
    await expect(expandedShader('no-such-kernel')).rejects.toThrow(/Unknown shader "no-such-kernel"/);
    await expect(expandedShader('lib/lanes')).rejects.toThrow(/parts for #include, not shaders/);
  });
});

describe('compile errors after inclusion', () => {
  const lib = '// a part\nconst K: f32 = 2.0;\nfn bad() -> f32 { return K * missing_in_part; }\n';
  const main = '// header\n#include "lib/ok"\n#include "lib/bad"\n@compute @workgroup_size(1)\nfn main() {\n  let y: f32 = missing_in_main;\n}\n';
  const ok = 'const ONE: f32 = 1.0;\nconst TWO: f32 = 2.0;';

  it('an error inside an included part names that part, its line and column', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu.device);
    const e = expandShader('main', reader({ main, 'lib/ok': ok, 'lib/bad': lib }));
    const err = await cache.compileSource('main', e.code, e).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ShaderCompileError);
    const col = lib.split('\n')[2].indexOf('missing_in_part') + 1;
    expect((err as ShaderCompileError).message).toContain(`lib/bad.wgsl:3:${col}`);
    expect((err as ShaderCompileError).sourceLine).toContain('missing_in_part');
  });

  it('an error in the shader after its includes keeps the shader\'s own line and column', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu.device);
    const fixed = lib.replace('missing_in_part', '1.0');
    const e = expandShader('main', reader({ main, 'lib/ok': ok, 'lib/bad': fixed }));
    const err = await cache.compileSource('main', e.code, e).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ShaderCompileError);
    const col = main.split('\n')[5].indexOf('missing_in_main') + 1;
    expect((err as ShaderCompileError).message).toContain(`main.wgsl:6:${col}`);
    const d = (err as ShaderCompileError).diagnostics.find((x) => x.type === 'error');
    expect(d).toMatchObject({ file: 'main.wgsl', line: 6, column: col });
  });
});
