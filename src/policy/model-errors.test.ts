import { describe, expect, it } from 'vitest';
import { ModelError, classifyModelError, deserializeModelError, serializeModelError } from './model-errors';

describe('classifyModelError', () => {
  // Messages as ORT-web / transformers.js produce them in the browser (node messages are covered by backbone.test.ts).
  const cases: Array<[unknown, string, string | null]> = [
    [new Error('Aborted(OOM). Build with -sASSERTIONS for more info.'), 'out-of-memory', null],
    [new RangeError('WebAssembly.Memory(): could not allocate memory'), 'out-of-memory', null],
    [new Error("Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed."), 'corrupt-model', null],
    [Object.assign(new Error('Could not locate file: "http://127.0.0.1:1/org/name/resolve/main/onnx/model_q4.onnx".'), { name: 'ModelFileNotFoundError' }), 'missing-file', 'onnx/model_q4.onnx'],
    [new Error('Unsupported model type: whisper'), 'unsupported-architecture', null],
    [new SyntaxError("Unexpected token '<', \"<!doctype \"... is not valid JSON"), 'corrupt-model', null],
    [42, 'load-failed', null],
  ];
  for (const [error, kind, file] of cases) {
    it(`${String((error as Error).message ?? error).slice(0, 50)} -> ${kind}`, () => {
      const e = classifyModelError(error, 'org/name', 'load');
      expect(e.kind).toBe(kind);
      expect(e.modelId).toBe('org/name');
      if (file) expect(e.file).toBe(file);
      expect(e.message).toContain('org/name');
    });
  }

  it('survives the trip across the worker boundary', () => {
    const e = new ModelError('missing-file', 'm', 'msg', 'detail', 'config.json');
    const back = deserializeModelError(JSON.parse(JSON.stringify(serializeModelError(e))));
    expect(back).toBeInstanceOf(ModelError);
    expect(back).toMatchObject({ kind: 'missing-file', modelId: 'm', message: 'msg', detail: 'detail', file: 'config.json' });
  });
});
