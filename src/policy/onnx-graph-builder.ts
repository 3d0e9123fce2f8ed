// A thin layer over onnx-proto's generated protobuf classes: named nodes, typed constants and
// deterministic serialisation. Only what the decoder writer needs.

import onnxProto from 'onnx-proto';

// onnx-proto is a CommonJS protobufjs static module; its default export carries the `onnx` namespace.
const { onnx } = onnxProto;

export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A dimension is a fixed size or a symbolic name shared across inputs (e.g. 'batch_size'). */
export type Dim = number | string;

type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
};

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueInfo(name: string, elemType: DataTypeCode, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly constCache = new Map<string, string>();

  /** A fresh, readable value name. Names are derived from a counter, so builds are reproducible. */
  fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: DataTypeCode, dims: Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: DataTypeCode, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Adds a float32 initializer. The data is copied into the proto as little-endian raw bytes. */
  floatTensor(name: string, dims: number[], data: Float32Array): string {
    this.names.add(name);
    // rawData must be little-endian; every platform we target is, but copy to detach from shared buffers.
    const copy = new Float32Array(data);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, rawData: bytesOf(copy) });
    return name;
  }

  /** An int64 constant (shape vector, axis list or scalar), deduplicated by value. */
  int64(values: number[] | number): string {
    const scalar = !Array.isArray(values);
    const list = scalar ? [values] : values;
    const key = `i64:${scalar ? 's' : 'v'}:${list.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const_i64');
    const data = new BigInt64Array(list.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: DataType.INT64, dims: scalar ? [] : [list.length], rawData: bytesOf(data) });
    this.constCache.set(key, name);
    return name;
  }

  /** A float32 scalar constant, deduplicated by value. */
  float(value: number): string {
    const key = `f32:${value}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const_f32');
    this.initializers.push({ name, dataType: DataType.FLOAT, dims: [], rawData: bytesOf(new Float32Array([value])) });
    this.constCache.set(key, name);
    return name;
  }

  /** Adds a node and returns its output names. `outputs` may name graph outputs explicitly. */
  node(opType: string, inputs: string[], opts: { outputs?: string[]; nOut?: number; attrs?: Record<string, Attr>; hint?: string } = {}): string[] {
    const outputs = opts.outputs ?? Array.from({ length: opts.nOut ?? 1 }, () => this.fresh(opts.hint ?? opType.toLowerCase()));
    for (const o of outputs) this.names.add(o);
    const attribute: onnxProto.onnx.IAttributeProto[] = [];
    for (const [name, a] of Object.entries(opts.attrs ?? {})) {
      if (a.kind === 'int') attribute.push({ name, type: onnx.AttributeProto.AttributeType.INT, i: a.value });
      else if (a.kind === 'float') attribute.push({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: a.value });
      else attribute.push({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: a.value });
    }
    this.nodes.push({ name: `n${this.nodes.length}_${opType}`, opType, input: inputs, output: outputs, attribute });
    return outputs;
  }

  /** Single-output shorthand. */
  op(opType: string, inputs: string[], attrs?: Record<string, Attr>, hint?: string): string {
    return this.node(opType, inputs, { attrs, hint })[0];
  }

  serialize(meta: { graphName: string; producer: string; opset: number; irVersion: number; docString?: string }): Uint8Array {
    const model = onnx.ModelProto.fromObject({
      irVersion: meta.irVersion,
      producerName: meta.producer,
      docString: meta.docString ?? '',
      opsetImport: [{ domain: '', version: meta.opset }],
      graph: {
        name: meta.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
