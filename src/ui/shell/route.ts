// The lab's state lives in the URL (#/<screen>?key=value…), as in tensorflow/playground: a link
// reproduces what its sender saw, and the back button works.

export interface Route {
  screen: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const screen = decodeURIComponent(q < 0 ? body : body.slice(0, q));
  return { screen, params: new URLSearchParams(q < 0 ? '' : body.slice(q + 1)) };
}

export function formatRoute(screen: string, params?: URLSearchParams | Record<string, string | number>): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).map(([k, v]) => [k, String(v)]));
  const qs = p.toString();
  return `#/${encodeURIComponent(screen)}${qs ? `?${qs}` : ''}`;
}

/** Replaces the current screen's state without adding a history entry (for every small change). */
export function replaceParams(params: URLSearchParams | Record<string, string | number>): void {
  const { screen } = parseRoute(location.hash);
  history.replaceState(null, '', formatRoute(screen, params));
}
