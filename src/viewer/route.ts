/** Hash routes: `#/<page>?bundle=<id or index>`, so every view has a link and works from file://. */
export interface Route {
  page: string;
  /** A bundle's id or its index among the open bundles; null for the first. */
  bundle: string | null;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { page: path || 'overview', bundle: new URLSearchParams(query).get('bundle') };
}

export function routeHref(page: string, bundle: string | null): string {
  return `#/${page}${bundle === null ? '' : `?bundle=${encodeURIComponent(bundle)}`}`;
}
