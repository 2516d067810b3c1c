// Control endpoints under /__sim/ for a simulator running in another process (the CLI):
// GET /__sim/requests, POST /__sim/enqueue (turn or turns), POST /__sim/fault (fault or null), POST /__sim/reset.

import type { ServerResponse } from 'node:http';
import type { ScriptPlayer, SimFault, SimRequest, SimTurn } from './script.js';

export function controlRoute(
  url: URL,
  method: string,
  text: string,
  response: ServerResponse,
  state: { player: ScriptPlayer; requests: SimRequest[] },
): boolean {
  if (!url.pathname.startsWith('/__sim/')) return false;
  const reply = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  try {
    const body: unknown = text ? JSON.parse(text) : undefined;
    if (method === 'GET' && url.pathname === '/__sim/requests') reply(200, state.requests);
    else if (method === 'POST' && url.pathname === '/__sim/enqueue') {
      const turns = (Array.isArray(body) ? body : [body]) as SimTurn[];
      state.player.enqueue(...turns);
      reply(200, { queued: turns.length });
    } else if (method === 'POST' && url.pathname === '/__sim/fault') {
      state.player.setFault((body ?? undefined) as SimFault | undefined);
      reply(200, { ok: true });
    } else if (method === 'POST' && url.pathname === '/__sim/reset') {
      state.requests.length = 0;
      state.player.reset();
      reply(200, { ok: true });
    } else reply(404, { error: `unknown control route ${url.pathname}` });
  } catch (error) {
    reply(400, { error: String(error) });
  }
  return true;
}
