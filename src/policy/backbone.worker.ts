// Browser entry of the LLM worker (DESIGN.md §3: one worker owns transformers.js and its model).
// ORT's wasm binary and loader are imported as assets, so Vite ships them from our own origin:
// nothing is fetched from a CDN, and Vite emits the 27 MB binary once (ORT's own reference to it
// resolves to the same hashed asset).

import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import type { WorkerRequest, WorkerResponse } from './backbone-types';
import { createWorkerLoop } from './backbone-worker-core';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  location: { href: string };
}

const scope = self as unknown as WorkerScope;
const absolute = (url: string): string => new URL(url, scope.location.href).href;

const handle = createWorkerLoop((message, transfer) => scope.postMessage(message, transfer), {
  wasmPaths: { mjs: absolute(ortMjsUrl), wasm: absolute(ortWasmUrl) },
});
scope.onmessage = (event) => handle(event.data);
