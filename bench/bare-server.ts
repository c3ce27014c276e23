// Baseline for the benchmark: a bare Fastify server with one route answering {ok:true}.
// Usage: PORT=… HOST=127.0.0.1 node bin/tsx.mjs bench/bare-server.ts
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/ok', async () => ({ ok: true }));

const shutdown = () => {
  void app.close().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
process.stderr.write(`bare fastify listening on ${process.env.PORT ?? '?'}\n`);
