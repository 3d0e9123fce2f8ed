// The autotuner's memory: which kernel variant won for each (adapter, shape class). Lookups are
// synchronous (a plan reads them while it is being built); the durable copy behind them is read
// once when the runtime starts and written through on every new choice:
//   - browser page or worker: IndexedDB (workers have no localStorage), through `idb`;
//   - Node: a JSON file, $STEPWISE_TUNE_CACHE or node_modules/.cache/stepwise/autotune.json.
// A store that cannot be opened (private mode, read-only disk) degrades to memory only: the
// tuner then re-times once per process, which is slower but never wrong.

import { openDB, type IDBPDatabase } from 'idb';

export interface TuneStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Resolves when every `set` so far has reached durable storage (tests, orderly shutdown). */
  flush(): Promise<void>;
}

/** Choices in memory only. */
export class MemoryTuneStore implements TuneStore {
  protected readonly memory = new Map<string, string>();
  get(key: string): string | undefined {
    return this.memory.get(key);
  }
  set(key: string, value: string): void {
    this.memory.set(key, value);
  }
  async flush(): Promise<void> {}
  /** Every key and value (for tests and the bench report). */
  entries(): [string, string][] {
    return [...this.memory];
  }
}

/** Bumped when the meaning of a stored choice changes, so old choices are not trusted. */
const VERSION = 1;
export const TUNE_CACHE_ENV = 'STEPWISE_TUNE_CACHE';
const DEFAULT_FILE = ['node_modules', '.cache', 'stepwise', 'autotune.json'];

interface TuneFile {
  version: number;
  choices: Record<string, string>;
}

/** Node: a JSON file read once and rewritten (whole, atomically by rename) after each new choice. */
export class FileTuneStore extends MemoryTuneStore {
  private writing: Promise<void> = Promise.resolve();
  private constructor(readonly path: string) {
    super();
  }

  /** Opens (and reads, when it exists) the file; a missing or unreadable file starts empty. */
  static async open(path: string): Promise<FileTuneStore> {
    const store = new FileTuneStore(path);
    const fs = await nodeFs();
    try {
      const parsed = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<TuneFile>;
      if (parsed.version === VERSION && parsed.choices && typeof parsed.choices === 'object') {
        for (const [k, v] of Object.entries(parsed.choices)) if (typeof v === 'string') store.memory.set(k, v);
      }
    } catch {
      /* no file yet, or a corrupt one: it is rewritten on the next choice */
    }
    return store;
  }

  override set(key: string, value: string): void {
    super.set(key, value);
    const body: TuneFile = { version: VERSION, choices: Object.fromEntries(this.memory) };
    this.writing = this.writing.then(() => this.write(JSON.stringify(body, null, 1))).catch(() => undefined);
  }

  private async write(text: string): Promise<void> {
    const fs = await nodeFs();
    const dir = this.path.slice(0, Math.max(this.path.lastIndexOf('/'), this.path.lastIndexOf('\\')));
    if (dir) await fs.mkdir(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, this.path);
  }

  override flush(): Promise<void> {
    return this.writing;
  }
}

const DB_NAME = 'stepwise-autotune';
const OBJECT_STORE = 'choices';

/** Browser (page or worker): an IndexedDB object store, read whole when opened. */
export class IdbTuneStore extends MemoryTuneStore {
  private writing: Promise<void> = Promise.resolve();
  private constructor(private readonly db: IDBPDatabase) {
    super();
  }

  static async open(): Promise<IdbTuneStore> {
    const db = await openDB(DB_NAME, VERSION, {
      upgrade(d) {
        if (!d.objectStoreNames.contains(OBJECT_STORE)) d.createObjectStore(OBJECT_STORE);
      },
    });
    const store = new IdbTuneStore(db);
    const tx = db.transaction(OBJECT_STORE, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    keys.forEach((k, i) => { if (typeof values[i] === 'string') store.memory.set(String(k), values[i] as string); });
    return store;
  }

  override set(key: string, value: string): void {
    super.set(key, value);
    this.writing = this.writing.then(() => this.db.put(OBJECT_STORE, value, key)).then(() => undefined, () => undefined);
  }

  override flush(): Promise<void> {
    return this.writing;
  }

  close(): void {
    this.db.close();
  }
}

// Kept out of the bundler's sight: this module also runs in browsers and workers.
type NodeFs = typeof import('node:fs/promises');
let fsModule: Promise<NodeFs> | undefined;
function nodeFs(): Promise<NodeFs> {
  fsModule ??= import(/* @vite-ignore */ 'node:' + 'fs/promises') as Promise<NodeFs>;
  return fsModule;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Where the Node store lives: $STEPWISE_TUNE_CACHE, else under node_modules/.cache in the working directory. */
export function nodeTuneCachePath(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): string {
  return env[TUNE_CACHE_ENV] || [cwd, ...DEFAULT_FILE].join('/');
}

let shared: Promise<TuneStore> | undefined;

/**
 * The process's (or worker's) tune store, opened on first call: the runtime calls this when it
 * starts, and every plan awaits it before looking up a choice, so a plan never tunes a shape whose
 * choice was already on disk.
 */
export function loadTuneStore(): Promise<TuneStore> {
  shared ??= (async (): Promise<TuneStore> => {
    try {
      if (isNode()) return await FileTuneStore.open(nodeTuneCachePath());
      if (typeof indexedDB !== 'undefined') return await IdbTuneStore.open();
    } catch {
      /* storage unavailable: memory only */
    }
    return new MemoryTuneStore();
  })();
  return shared;
}

/** Replaces the shared store (tests: a temporary file or a memory store). */
export function setTuneStore(store: TuneStore): void {
  shared = Promise.resolve(store);
}
