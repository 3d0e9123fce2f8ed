import { describe, expect, it } from 'vitest';
import type { AdapterSummary } from '../gpu/adapter-info';
import { chooseDevice, type GpuProbe } from './device-choice';

function probe(software: boolean): GpuProbe {
  const adapter = { vendor: software ? 'google' : 'nvidia', architecture: software ? 'swiftshader' : 'ada', description: '', isSoftware: software } as AdapterSummary;
  return { available: true, adapter, shaderF16: !software };
}
const none: GpuProbe = { available: false, adapter: null, shaderF16: false, reason: 'navigator.gpu is missing' };

describe('chooseDevice', () => {
  it('uses WebGPU only for a real adapter and a model big enough to gain', () => {
    expect(chooseDevice('auto', 135e6, probe(false), 'browser').device).toBe('webgpu');
    expect(chooseDevice('auto', 1.4e6, probe(false), 'browser')).toMatchObject({ device: 'wasm', reason: expect.stringMatching(/small/) });
    expect(chooseDevice('auto', 135e6, probe(true), 'browser')).toMatchObject({ device: 'wasm', reason: expect.stringMatching(/software/) });
    expect(chooseDevice('auto', 135e6, none, 'browser')).toMatchObject({ device: 'wasm', reason: expect.stringMatching(/no WebGPU/) });
  });

  it('honours the user override, falling back with a reason when WebGPU is absent', () => {
    expect(chooseDevice('webgpu', 1e6, probe(true), 'browser')).toMatchObject({ device: 'webgpu', reason: expect.stringMatching(/emulation/) });
    expect(chooseDevice('webgpu', 1e6, none, 'browser')).toMatchObject({ device: 'wasm', reason: expect.stringMatching(/requested/) });
    expect(chooseDevice('wasm', 500e6, probe(false), 'browser').device).toBe('wasm');
    expect(chooseDevice('auto', 500e6, probe(false), 'node').device).toBe('cpu');
    expect(chooseDevice('webgpu', 500e6, probe(false), 'node').reason).toMatch(/browser device/);
  });
});
