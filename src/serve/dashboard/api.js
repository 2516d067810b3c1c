// API client of the dashboard: every call carries the key the user entered (kept in this browser's
// localStorage, sent only to this origin). Events use fetch streaming rather than EventSource,
// which cannot send an Authorization header; Last-Event-ID makes a reconnect lose nothing.

const keyName = 'agentpipe.key';

export const getKey = () => localStorage.getItem(keyName) ?? '';
export const setKey = (key) => (key ? localStorage.setItem(keyName, key) : localStorage.removeItem(keyName));

const headers = (extra = {}) => {
  const key = getKey();
  return { ...extra, ...(key ? { authorization: `Bearer ${key}` } : {}) };
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, options = {}) {
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/**
 * Follows a run's events until the stream ends or `signal` aborts; reconnects after a network
 * error from the last id seen. Calls onEvent(event, id) for each.
 */
export async function followEvents(runId, onEvent, signal) {
  let last = 0;
  for (let attempt = 0; !signal.aborted && attempt < 20; attempt++) {
    try {
      const response = await fetch(`/v1/runs/${runId}/events`, { headers: headers(last ? { 'last-event-id': String(last) } : {}), signal });
      if (response.status === 204) return;
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => undefined));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) {
            last = Number(id);
            onEvent(JSON.parse(data), last);
          }
        }
      }
    } catch (error) {
      if (signal.aborted || error instanceof ApiError) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
