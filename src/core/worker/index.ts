// The one worker transport. Spawners are imported from './browser' (a page or a Web Worker) or
// './node' (worker threads) directly, so the page bundle never sees node:worker_threads.
export { WorkerClient, type RequestOptions, type WorkerClientOptions, type WorkerState } from './client';
export { serveWorker, type HandlerContext, type Handlers, type ServeOptions } from './host';
export { Listeners, type HostEndpoint, type Spawner, type WorkerPort } from './port';
export {
  RemoteError,
  WorkerClosedError,
  WorkerCrashedError,
  decodeError,
  encodeError,
  type EncodedError,
  type Method,
  type MethodSpec,
  type ProgressOf,
  type Protocol,
  type ReplyEnvelope,
  type RequestEnvelope,
  type RequestOf,
  type ResponseOf,
} from './protocol';
