// Browser entry of the LLM worker (DESIGN.md §3: one worker owns transformers.js and its model).
// ORT's wasm binary and loader are imported as assets, so Vite ships them from our own origin:
// nothing is fetched from a CDN, and Vite emits the 27 MB binary once (ORT's own reference to it
// resolves to the same hashed asset).

import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { workerScopeEndpoint } from '../core/worker/browser';
import { serveBackbone } from './backbone-worker-core';

// The lib set is DOM, not WebWorker: the one member of the worker scope used here.
const scope = self as unknown as { location: { href: string } };
const absolute = (url: string): string => new URL(url, scope.location.href).href;

serveBackbone(workerScopeEndpoint(), { wasmPaths: { mjs: absolute(ortMjsUrl), wasm: absolute(ortWasmUrl) } });
