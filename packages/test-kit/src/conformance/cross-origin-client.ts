import { recordEventSource, type RecordingEventSource } from '../event-source';

/** Where the page that opens the EventSource lives, and the cookie its browser holds. */
export interface CrossOriginPage {
  /** The page's origin, sent as `Origin` (e.g. `"http://app.example"`). */
  origin: string;
  /** Cookies the browser sends with a credentialed request, as a `Cookie` header. */
  cookie?: string;
}

/** A credentialed cross-origin EventSource and the SSE responses it accepted. */
export interface CrossOriginEventSource extends RecordingEventSource {
  /** Resolves on the first `open`; rejects if a response fails the CORS check. */
  opened: Promise<void>;
  /** Status and headers of every response the client accepted, in order. */
  responses: { status: number; headers: Headers }[];
}

/**
 * Opens a real EventSource (`eventsource`) with `{ withCredentials: true }` as a page on
 * `page.origin` would, and applies a browser's CORS check for credentialed requests to each
 * response: unless `Access-Control-Allow-Origin` is exactly the origin and
 * `Access-Control-Allow-Credentials` is `true`, the connection fails and no event arrives.
 */
export function recordCrossOriginEventSource(
  url: string,
  page: CrossOriginPage,
  eventNames: readonly string[] = [],
): CrossOriginEventSource {
  const responses: CrossOriginEventSource['responses'] = [];
  let refuse: (error: TypeError) => void = () => undefined;
  const refused = new Promise<never>((_resolve, reject) => (refuse = reject));
  const client = recordEventSource(url, eventNames, {
    withCredentials: true,
    // In Node, `eventsource` sends neither an Origin header nor cookies (there is no page and
    // no cookie jar; `withCredentials` only sets `credentials: 'include'` where a `window`
    // exists), so its `fetch` option adds what a browser sends for this request.
    fetch: async (input, init) => {
      const response = await fetch(input, {
        ...init,
        credentials: 'include',
        headers: {
          ...init.headers,
          Origin: page.origin,
          ...(page.cookie === undefined ? {} : { Cookie: page.cookie }),
        },
      });
      const allowOrigin = response.headers.get('access-control-allow-origin');
      const allowCredentials = response.headers.get('access-control-allow-credentials');
      if (allowOrigin !== page.origin || allowCredentials !== 'true') {
        await response.body?.cancel();
        const error = new TypeError(
          `CORS check failed: access-control-allow-origin ${allowOrigin}, access-control-allow-credentials ${allowCredentials}`,
        );
        refuse(error);
        throw error;
      }
      responses.push({ status: response.status, headers: response.headers });
      return response;
    },
  });
  // A refused response fails `opened` at once, rather than letting the client retry silently.
  const opened = Promise.race([client.opened, refused]);
  opened.catch(() => undefined);
  return Object.assign(client, { responses, opened });
}
