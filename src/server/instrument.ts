/**
 * Wraps a fetch handler to feed the request metrics: one count per
 * response by route class, method and status, the time to the response
 * head, body bytes in and out, and the upload requests in flight. Bodies
 * with a `Content-Length` are counted by that header, so a response keeps
 * the runtime's fast path for file-backed streams; only bodies of unknown
 * length are passed through a counter.
 *
 * @module
 */

import type { Metrics } from "./metrics.ts";
import { classifyRoute } from "./route_class.ts";

/** A request handler, as `Deno.serve` calls it; `info` (the connection,
 * which only the server knows) is passed along to the handler inside. */
export type Handler = (
  request: Request,
  info?: Deno.ServeHandlerInfo,
) => Promise<Response>;

const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

/** Returns `handler` with every request metered into `metrics`. */
export function instrument(handler: Handler, metrics: Metrics): Handler {
  return async (request, info) => {
    const route = classifyRoute(new URL(request.url).pathname);
    const method = methods.has(request.method) ? request.method : "other";
    const started = performance.now();
    const upload = route === "upload";
    if (upload) metrics.uploadsInFlight.add(1);

    let response: Response;
    try {
      response = await handler(countRequest(request, metrics, route), info);
    } finally {
      if (upload) metrics.uploadsInFlight.add(-1);
    }

    const seconds = (performance.now() - started) / 1000;
    metrics.requestDuration.observe({ route }, seconds);
    metrics.requests.inc({ route, method, status: String(response.status) });
    return countResponse(request, response, metrics, route);
  };
}

function countRequest(request: Request, metrics: Metrics, route: string) {
  if (!request.body) return request;
  const length = declaredLength(request.headers);
  if (length !== undefined) {
    metrics.bytesIn.inc({ route }, length);
    return request;
  }
  const body = request.body.pipeThrough(
    counter((n) => metrics.bytesIn.inc({ route }, n)),
  );
  return new Request(request, { body, duplex: "half" } as RequestInit);
}

function countResponse(
  request: Request,
  response: Response,
  metrics: Metrics,
  route: string,
): Response {
  if (!response.body || request.method === "HEAD") return response;
  const length = declaredLength(response.headers);
  if (length !== undefined) {
    metrics.bytesOut.inc({ route }, length);
    return response;
  }
  const body = response.body.pipeThrough(
    counter((n) => metrics.bytesOut.inc({ route }, n)),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function declaredLength(headers: Headers): number | undefined {
  const text = headers.get("Content-Length");
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

function counter(count: (bytes: number) => void) {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
}
