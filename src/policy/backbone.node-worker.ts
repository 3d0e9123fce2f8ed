// Node entry of the LLM worker: the same loop as the browser worker, on a worker thread, with
// transformers.js running onnxruntime-node. Spawned by backbone-node.ts with tsx registered.

import { parentPort } from 'node:worker_threads';
import { createWorkerLoop } from './backbone-worker-core';

const port = parentPort;
if (!port) throw new Error('backbone.node-worker.ts must run as a worker thread (spawn it with spawnNodeBackbone).');
const handle = createWorkerLoop((message, transfer) => port.postMessage(message, transfer));
port.on('message', handle);
