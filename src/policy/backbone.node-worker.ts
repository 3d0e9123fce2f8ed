// Node entry of the LLM worker: the same handlers as the browser worker, on a worker thread, with
// transformers.js running onnxruntime-node. Spawned by backbone-node.ts through tsx.

import { parentPortEndpoint } from '../core/worker/node';
import { serveBackbone } from './backbone-worker-core';

serveBackbone(parentPortEndpoint());
