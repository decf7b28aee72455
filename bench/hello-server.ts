import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The ceiling the ingest figures are compared with: a bare Hono hello-world on the same HTTP
 * server the collector uses (@hono/node-server), one process, same machine. It answers every
 * request, whatever the method and path, so the load generator can send it the very bytes it
 * sends the collector.
 */
const app = new Hono();
app.all('*', (c) => c.text('Hello Hono!'));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`hello-world listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => process.exit(0));
