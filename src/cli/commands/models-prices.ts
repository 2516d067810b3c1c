// `models --check-prices` and `models --update-prices`: providers.yaml against the bundled price
// catalogue (src/cost/catalogue.ts), offline. --update-prices edits providers.yaml through the
// `yaml` Document API, so comments and layout stay; only the pricing of changed models is touched.

import type { ModelsFlags } from './models.js';

export async function pricesCommand(flags: ModelsFlags): Promise<number> {
  const [{ loadConfig }, { loadCatalogue }, { checkPrices, describeDifferences }, { guardOutput }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../cost/catalogue.js'),
    import('../../cost/price-check.js'),
    import('../progress/streams.js'),
  ]);
  const output = guardOutput();
  const { config } = await loadConfig();
  const catalogue = await loadCatalogue();
  const today = new Date().toISOString().slice(0, 10);
  const checks = checkPrices(config.providers.value, catalogue, today);
  const changed = checks.filter((check) => (check.status === 'differs' || check.status === 'stale') && !check.acknowledged);
  if (flags.updatePrices && changed.length > 0) await rewrite(config.root, config.providers.source.file, changed, catalogue.source, today);
  if (flags.json) {
    output.out(`${JSON.stringify({ source: catalogue.source, updated: flags.updatePrices === true ? changed.map((check) => check.model) : [], models: checks }, null, 2)}\n`);
    return 0;
  }
  const lines = checks.map((check) => {
    if (check.status === 'differs') return `  ${check.model}: ${describeDifferences(check)}${check.acknowledged ? ' (check_catalogue: false, left as is)' : ''}`;
    if (check.status === 'stale') return `  ${check.model}: as_of ${check.asOf ?? 'not set'} is older than the catalogue's change on ${check.changedOn}`;
    if (check.status === 'unknown') return `  ${check.model}: not in the catalogue`;
    if (check.status === 'local') return `  ${check.model}: local model, not checked`;
    return `  ${check.model}: same`;
  });
  const verb = flags.updatePrices ? (changed.length > 0 ? `updated ${changed.length} model(s) in providers.yaml` : 'nothing to update') : `${changed.length} model(s) differ or are outdated${changed.length > 0 ? ' (agentpipe models --update-prices rewrites them)' : ''}`;
  output.out(`prices against ${catalogue.source}:\n${lines.join('\n')}\n${verb}\n`);
  return 0;
}

async function rewrite(root: string, file: string, changed: Awaited<ReturnType<typeof import('../../cost/price-check.js').checkPrices>>, source: string, today: string): Promise<void> {
  const [{ readFile, writeFile, rename }, { join }, { parseDocument, isMap, isScalar }, { priceFields }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('yaml'),
    import('../../cost/price-check.js'),
  ]);
  const path = join(root, file);
  const text = await readFile(path, 'utf8');
  const document = parseDocument(text);
  // Each changed pricing map is replaced in place (by its source range) with a flow map of the new
  // values, so every other byte of the file, comments and layout included, stays as it was.
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const check of changed) {
    const node = document.getIn(['models', check.model, 'pricing'], true);
    if (!isMap(node) || !node.range) continue;
    // Values as written: what is not changed keeps its original text (`3.00` stays `3.00`).
    const values = new Map<string, string>();
    for (const pair of node.items) {
      const range = (pair.value as { range?: [number, number] } | null)?.range;
      if (isScalar(pair.key) && range) values.set(String(pair.key.value), text.slice(range[0], range[1]));
    }
    for (const [field, key] of priceFields) {
      const value = check.catalogue?.[key];
      if (value !== undefined && Number(values.get(field)) !== value) values.set(field, String(value));
    }
    values.set('source', JSON.stringify(source));
    values.set('as_of', today);
    const order = ['input', 'output', 'cache_read', 'cache_write', 'source', 'as_of'];
    const keys = [...order.filter((key) => values.has(key)), ...[...values.keys()].filter((key) => !order.includes(key))];
    edits.push({ start: node.range[0], end: node.range[1], text: `{ ${keys.map((key) => `${key}: ${values.get(key) ?? ''}`).join(', ')} }` });
  }
  let updated = text;
  for (const edit of edits.sort((left, right) => right.start - left.start)) updated = updated.slice(0, edit.start) + edit.text + updated.slice(edit.end);
  // Written beside and renamed over, so an interrupted update never leaves half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, updated);
  await rename(temporary, path);
}
