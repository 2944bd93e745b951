/**
 * Hash routes: `#/<page>?bundle=<id or index>&bundles=<indexes>`, so every view has a link and
 * works from file://. `bundles` is the compare page's choice; links to other pages keep it, so
 * that coming back to compare finds it again.
 */
export interface Route {
  page: string;
  /** A bundle's id or its index among the open bundles; null for the default one. */
  bundle: string | null;
  /** Indexes (among the open bundles) of those to compare; absent for all. */
  bundles?: number[];
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const route: Route = { page: path || 'overview', bundle: params.get('bundle') };
  const list = params.get('bundles');
  if (list !== null) route.bundles = [...new Set(list.split(',').filter((x) => /^\d+$/.test(x)).map(Number))].sort((a, b) => a - b);
  return route;
}

export function routeHref(page: string, bundle: string | null, bundles?: number[]): string {
  const params = new URLSearchParams();
  if (bundle !== null) params.set('bundle', bundle);
  if (bundles) params.set('bundles', bundles.join(','));
  // commas stay readable in the address bar (URLSearchParams would write %2C)
  const query = params.toString().replace(/%2C/g, ',');
  return `#/${page}${query ? `?${query}` : ''}`;
}
