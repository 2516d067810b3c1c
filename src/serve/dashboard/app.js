// The dashboard's router: #/runs (home), #/runs/<id>, #/catalogue, #/analytics.
import { ApiError, getKey, setKey } from './api.js';
import { analyticsView, catalogueView, runView, runsView } from './views.js';

const view = document.getElementById('view');
const notice = document.getElementById('notice');
let current = new AbortController();

const navigate = (hash) => {
  location.hash = hash;
};

async function route() {
  current.abort();
  current = new AbortController();
  const signal = current.signal;
  const hash = location.hash || '#/runs';
  const [, page, id] = hash.split('/');
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', link.dataset.nav === page);
  notice.hidden = true;
  try {
    if (page === 'runs' && id) await runView(view, signal, id);
    else if (page === 'catalogue') await catalogueView(view, signal, navigate);
    else if (page === 'analytics') await analyticsView(view, signal);
    else await runsView(view, signal);
  } catch (error) {
    if (signal.aborted) return;
    notice.hidden = false;
    notice.textContent = error instanceof ApiError && error.status === 401 ? 'This server needs credentials: enter an API key above.' : error instanceof ApiError && error.status === 403 ? `Your key cannot do this: ${error.message}` : `Error: ${error.message}`;
  }
}

const keyInput = document.getElementById('key');
keyInput.value = getKey();
document.getElementById('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setKey(keyInput.value.trim());
  route();
});
window.addEventListener('hashchange', route);
route();
