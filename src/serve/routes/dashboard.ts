// The dashboard's static files: a fixed list read once from src/serve/dashboard (shipped with the
// package), plus uPlot from node_modules. No path from the URL ever reaches the file system. The
// files hold no data, so they are public; every API call the page makes carries the user's key.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';

const folder = fileURLToPath(new URL('../../../src/serve/dashboard/', import.meta.url));
const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const pages = ['index.html', 'app.js', 'api.js', 'views.js', 'charts.js', 'style.css'];

export default async function dashboardRoutes(app: FastifyInstance, _options: { context: ServeContext }): Promise<void> {
  const require = createRequire(import.meta.url);
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of pages) files.set(name === 'index.html' ? '/' : `/app/${name}`, { type: types[name.split('.').pop()!]!, body: await readFile(`${folder}${name}`) });
  files.set('/vendor/uplot.js', { type: types['js']!, body: await readFile(require.resolve('uplot/dist/uPlot.esm.js')) });
  files.set('/vendor/uplot.css', { type: types['css']!, body: await readFile(require.resolve('uplot/dist/uPlot.min.css')) });
  for (const [url, file] of files) {
    app.get(url, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.type(file.type).header('cache-control', 'no-cache').send(file.body));
  }
}
