// A kernel suite written once and run on every device: each src/kernels/<kernel>.cases.ts declares
// its cases with describe/it (the vitest shape), `kernelCases` collects them into a flat list, and
// two thin runners execute that list: vitest on Dawn in Node (cases/vitest.ts, from the
// <kernel>.test.ts files) and the e2e page in Chromium (e2e/pages/kernels-page.ts). Cases get their
// GPU from gpu/testing's testGpu(), which is the page's own device in a browser.

export interface KernelCase {
  /** The case file ("ppo"). */
  readonly file: string;
  /** The describe blocks around the case, outermost first. */
  readonly path: readonly string[];
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

export interface CaseApi {
  describe(name: string, body: () => void): void;
  it(name: string, run: () => Promise<void> | void): void;
}

/** The cases `define` declares, in declaration order. */
export function kernelCases(file: string, define: (api: CaseApi) => void): KernelCase[] {
  const out: KernelCase[] = [];
  const path: string[] = [];
  define({
    describe(name, body) {
      path.push(name);
      try { body(); } finally { path.pop(); }
    },
    it(name, run) {
      out.push({ file, path: [...path], name, run });
    },
  });
  const seen = new Set<string>();
  for (const c of out) {
    const id = caseId(c);
    if (seen.has(id)) throw new Error(`kernel case "${id}" is declared twice`);
    seen.add(id);
  }
  return out;
}

/** "file > describe > … > name", unique within a suite. */
export function caseId(c: KernelCase): string {
  return [c.file, ...c.path, c.name].join(' > ');
}
