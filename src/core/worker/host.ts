// The worker's side: register one handler per method and the host answers each request with its
// id. Requests run one at a time, in arrival order, because the workers here own state that two
// calls must not touch at once (environments, an ONNX session). A handler that throws or rejects
// answers that request with an error and the worker carries on; an error thrown anywhere else
// is uncaught, and the owner's client then terminates the worker (the crash rule).

import {
  encodeError as encodePlainError,
  isRequestEnvelope,
  type Method,
  type ProgressOf,
  type Protocol,
  type ReplyEnvelope,
  type RequestOf,
  type ResponseOf,
} from './protocol';
import type { HostEndpoint } from './port';

export interface HandlerContext<G> {
  /** Sends a progress report to the caller's onProgress. */
  progress(value: G, transfer?: readonly Transferable[]): void;
  /** Buffers to move (not copy) with the answer. */
  transfer(...items: Transferable[]): void;
}

export type Handlers<P extends Protocol<P>> = {
  [M in Method<P>]: (payload: RequestOf<P, M>, context: HandlerContext<ProgressOf<P, M>>) => ResponseOf<P, M> | Promise<ResponseOf<P, M>>;
};

export interface ServeOptions {
  /** Turns a handler's failure into plain data for the client's decodeError (default: name, message, stack). */
  encodeError?: (error: unknown, method: string) => unknown;
}

export function serveWorker<P extends Protocol<P>>(endpoint: HostEndpoint, handlers: Handlers<P>, options: ServeOptions = {}): void {
  const encode = options.encodeError ?? encodePlainError;
  const send = (reply: ReplyEnvelope, transfer: readonly Transferable[] = []): void => endpoint.post(reply, transfer);
  let chain: Promise<void> = Promise.resolve();

  const run = async (id: number, method: string, payload: unknown): Promise<void> => {
    const transfer: Transferable[] = [];
    try {
      if (!Object.hasOwn(handlers, method)) throw new Error(`unknown method "${method}"`);
      // The table is indexed by a name checked above; the payload's type is the caller's promise.
      const handler = handlers[method as Method<P>] as (payload: unknown, context: HandlerContext<unknown>) => unknown;
      const value = await handler(payload, {
        progress: (v, t = []) => send({ id, kind: 'progress', value: v }, t),
        transfer: (...items) => transfer.push(...items),
      });
      send({ id, kind: 'ok', value }, transfer);
    } catch (e) {
      send({ id, kind: 'error', error: encode(e, method) });
    }
  };

  endpoint.onMessage((message) => {
    // A request without an id cannot be answered: fail loudly, which crashes the worker by the rule.
    if (!isRequestEnvelope(message)) throw new Error(`worker received a message that is not a request: ${String(message)}`);
    chain = chain.then(() => run(message.id, message.method, message.payload));
  });
}
