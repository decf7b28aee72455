import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/**
 * A real HTTP receiver on 127.0.0.1 (port 0) that records every delivery. `answer` decides the
 * status of each request (200 by default); `hold` keeps requests open until released.
 */
export async function startReceiver(answer: (request: Received, index: number) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = {
        id: String(req.headers['hark-webhook-id']),
        timestamp: String(req.headers['hark-webhook-timestamp']),
        signature: String(req.headers['hark-webhook-signature']),
        body,
      };
      const index = received.push(request) - 1;
      void Promise.resolve(answer(request, index)).then((status) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status >= 400 ? `status ${status}` : 'ok');
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/hark`,
    received,
    /** How many times each delivery id arrived. */
    countsById: () => received.reduce((counts, r) => counts.set(r.id, (counts.get(r.id) ?? 0) + 1), new Map<string, number>()),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
