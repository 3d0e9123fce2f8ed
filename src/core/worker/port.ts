// A worker as its owner sees it, whatever runs it (a browser Worker or a Node worker thread), and
// the owner as a worker sees it. The spawners in browser.ts and node.ts build these; the client
// and the host speak the protocol over them.

/** The owner's side of one worker. Events fire for every listener, in registration order. */
export interface WorkerPort {
  post(message: unknown, transfer?: readonly Transferable[]): void;
  onMessage(listener: (message: unknown) => void): void;
  /**
   * The worker failed: an uncaught error inside it, a script that would not load, or a message
   * from it that could not be deserialised. A browser Worker stays alive after this; the client
   * terminates it.
   */
  onError(listener: (reason: string) => void): void;
  /** The worker is gone: it exited on its own or was terminated. Fires once. */
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}

/** The worker's side: its channel to the owner. */
export interface HostEndpoint {
  post(message: unknown, transfer: readonly Transferable[]): void;
  onMessage(listener: (message: unknown) => void): void;
}

export type Spawner = () => WorkerPort;

/** A list of listeners, for ports built on runtimes that do not give several of their own. */
export class Listeners<T> {
  private readonly list: Array<(value: T) => void> = [];
  add(listener: (value: T) => void): void {
    this.list.push(listener);
  }
  emit(value: T): void {
    for (const l of this.list.slice()) l(value);
  }
}
