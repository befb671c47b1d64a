import http from 'node:http';

/**
 * Passes one request on to a server on loopback and its answer back, as the test proxies do; an
 * upstream that fails answers 502. `answerHeaders` adds headers to the answer (which instance served it).
 */
export function forward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  to: { readonly port: number; readonly path?: string; readonly headers?: http.IncomingHttpHeaders; readonly answerHeaders?: Record<string, string> },
): void {
  const upstream = http.request(
    { host: '127.0.0.1', port: to.port, method: request.method, path: to.path ?? request.url, headers: to.headers ?? request.headers, agent: false },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...to.answerHeaders });
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(502, to.answerHeaders);
    response.end();
  });
  request.pipe(upstream);
}
