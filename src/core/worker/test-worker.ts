// A worker for the transport's tests: each method exercises one path of the protocol or of the
// crash rule. Started by transport.test.ts through spawnNodeWorker.

import { serveWorker } from './host';
import { parentPortEndpoint } from './node';

export interface TestProtocol {
  echo: { request: string; response: string };
  /** Doubles the values; the buffer comes back transferred. */
  double: { request: Float32Array; response: Float32Array };
  count: { request: number; response: 'done'; progress: number };
  /** The handler throws: an error answer, the worker stays up. */
  fail: { request: string; response: never };
  /** Throws outside any handler, mid-request: the request is never answered. */
  throwLater: { request: null; response: never };
  /** Sends something that is not a reply and stays alive (an interval holds the thread open). */
  garbage: { request: null; response: never };
  /** Ends the thread from inside. */
  exit: { request: number; response: never };
}

const endpoint = parentPortEndpoint();
const never = new Promise<never>(() => {});

serveWorker<TestProtocol>(endpoint, {
  echo: (text) => text,
  double: (values, ctx) => {
    const out = values.map((v) => 2 * v);
    ctx.transfer(out.buffer);
    return out;
  },
  count: (n, ctx) => {
    for (let i = 1; i <= n; i++) ctx.progress(i);
    return 'done';
  },
  fail: (message) => {
    throw new RangeError(message);
  },
  throwLater: () => {
    setTimeout(() => {
      throw new Error('boom outside a handler');
    }, 0);
    return never;
  },
  garbage: () => {
    setInterval(() => {}, 1000);
    endpoint.post({ hello: 'not an envelope' }, []);
    return never;
  },
  exit: (code) => {
    process.exit(code);
  },
});
