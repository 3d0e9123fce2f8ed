// The one message format between a page (or Node) and its workers. A protocol is a table of
// methods, each with its request, response and (optionally) progress payloads; on the wire every
// message is an envelope carrying a request id, so answers can arrive in any order and progress
// reports reach the call they belong to.

/** One method's payload types. `progress` is what the worker may report before it answers. */
export interface MethodSpec {
  request: unknown;
  response: unknown;
  progress?: unknown;
}

/**
 * A protocol: method name → MethodSpec. Used as the constraint `P extends Protocol<P>`, so that
 * an interface listing its methods qualifies without an index signature.
 */
export type Protocol<P> = { [M in keyof P]: MethodSpec };

export type Method<P> = keyof P & string;
export type RequestOf<P extends Protocol<P>, M extends Method<P>> = P[M]['request'];
export type ResponseOf<P extends Protocol<P>, M extends Method<P>> = P[M]['response'];
export type ProgressOf<P extends Protocol<P>, M extends Method<P>> = P[M] extends { progress: infer G } ? G : never;

/** Caller → worker. */
export interface RequestEnvelope {
  id: number;
  method: string;
  payload: unknown;
}

/** Worker → caller: the answer, a failure thrown by the handler, or a progress report. */
export type ReplyEnvelope =
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: unknown }
  | { id: number; kind: 'progress'; value: unknown };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Anything else from a worker is an unreadable message, which the crash rule treats as a crash. */
export function isReplyEnvelope(x: unknown): x is ReplyEnvelope {
  if (!isRecord(x) || !Number.isInteger(x.id)) return false;
  if (x.kind === 'ok' || x.kind === 'progress') return 'value' in x;
  return x.kind === 'error' && 'error' in x;
}

export function isRequestEnvelope(x: unknown): x is RequestEnvelope {
  return isRecord(x) && Number.isInteger(x.id) && typeof x.method === 'string' && 'payload' in x;
}

/** A handler's failure as plain data (what the default encoder sends). */
export interface EncodedError {
  name: string;
  message: string;
  stack?: string;
}

export function encodeError(e: unknown): EncodedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: typeof e === 'string' ? e : String(e) };
}

/** A handler inside the worker threw or rejected; the worker itself is fine and stays up. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  /** The name of the error inside the worker (TypeError, RangeError, ...). */
  readonly remoteName: string;
  readonly remoteStack: string | undefined;
  constructor(encoded: EncodedError) {
    super(encoded.message);
    this.remoteName = encoded.name;
    this.remoteStack = encoded.stack;
  }
}

export function decodeError(raw: unknown): Error {
  if (isRecord(raw) && typeof raw.message === 'string') {
    return new RemoteError({ name: typeof raw.name === 'string' ? raw.name : 'Error', message: raw.message, stack: typeof raw.stack === 'string' ? raw.stack : undefined });
  }
  return new RemoteError({ name: 'Error', message: `worker failed with ${JSON.stringify(raw)}` });
}

/**
 * The worker threw outside a handler, failed to load, died, or sent a message that could not be
 * read. It has been terminated; every request that was waiting on it is rejected with this.
 */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(
    /** Which worker (for messages): 'env worker 1', 'model worker', ... */
    readonly worker: string,
    /** What happened, as reported by the runtime. */
    readonly reason: string,
  ) {
    super(`${worker} crashed: ${reason}`);
  }
}

/** The owner closed the worker while the request was waiting, or asked after closing it. */
export class WorkerClosedError extends Error {
  override name = 'WorkerClosedError';
  constructor(readonly worker: string) {
    super(`${worker} was closed`);
  }
}
