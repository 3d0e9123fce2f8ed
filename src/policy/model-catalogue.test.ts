import { describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_ID, MODEL_CATALOGUE, catalogueEntry, dtypeFor, loadRequestFor } from './model-catalogue';

describe('model catalogue', () => {
  it('offers the bundled model and the two hub models with a dtype per device', () => {
    expect(MODEL_CATALOGUE.map((m) => m.id)).toEqual([BUNDLED_MODEL_ID, 'HuggingFaceTB/SmolLM2-135M-Instruct', 'onnx-community/Qwen2.5-0.5B-Instruct']);
    const smol = catalogueEntry('HuggingFaceTB/SmolLM2-135M-Instruct')!;
    // SmolLM2's repo has no model_quantized.onnx (q8), so wasm must ask for q4.
    expect(dtypeFor(smol, 'wasm', false)).toBe('q4');
    expect(dtypeFor(smol, 'webgpu', true)).toBe('q4f16');
    expect(dtypeFor(smol, 'webgpu', false)).toBe('q4');
  });

  it('builds load requests for local and hub entries', () => {
    const tiny = loadRequestFor(catalogueEntry(BUNDLED_MODEL_ID)!, 'wasm', { localModelPath: '/models/' });
    expect(tiny).toEqual({ modelId: BUNDLED_MODEL_ID, source: 'local', device: 'wasm', dtype: 'fp32', revision: undefined, localModelPath: '/models/' });
    const qwen = loadRequestFor(catalogueEntry('onnx-community/Qwen2.5-0.5B-Instruct')!, 'webgpu', { shaderF16: true, localModelPath: '/models/', remoteHost: 'http://127.0.0.1:9/' });
    expect(qwen).toMatchObject({ source: 'hub', dtype: 'q4f16', remoteHost: 'http://127.0.0.1:9/' });
    expect('localModelPath' in qwen).toBe(false);
  });
});
