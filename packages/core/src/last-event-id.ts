/**
 * The client's last event id: the `Last-Event-ID` header, else the `lastEventId` query
 * parameter (EventSource polyfills that cannot set headers send it there).
 */
export function readLastEventId(
  header: string | readonly string[] | null | undefined,
  url: string | undefined,
): string | undefined {
  const fromHeader = typeof header === 'string' ? header : header?.[0];
  if (fromHeader !== undefined && fromHeader !== '') return fromHeader;
  if (!url) return undefined;
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return undefined;
  const fromQuery = new URLSearchParams(url.slice(queryStart + 1)).get('lastEventId');
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
}
