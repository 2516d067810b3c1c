// `npm run bench`: runs every bench module (each exports run() -> rows) after a build, prints one
// table of figures with their same-run baselines and ratios, and writes bench/results.json.
// Timings belong here, never in unit tests: machines are noisy, so each module reports medians.
// Each module runs in a child process of its own, so one bench's heap (RSS) never shows in another's.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const marker = '@@BENCH_ROWS ';
const childScript = (path) => `import(${JSON.stringify(path)}).then((m) => m.run()).then((rows) => process.stdout.write('\\n${marker}' + JSON.stringify(rows) + '\\n')).then(() => process.exit(0))`;

function runModule(name) {
  const path = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', childScript(path)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((text) => text.startsWith(marker));
  if (child.status !== 0 || !line) throw new Error(`bench/${name}.mjs exited ${child.status} without results`);
  return JSON.parse(line.slice(marker.length));
}

// Every bench/*.mjs that exports run() is a bench module, in name order, so adding a bench is adding a file.
const modules = readdirSync(fileURLToPath(new URL('.', import.meta.url)))
  .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs')
  .filter((file) => /export (async )?function run\(/.test(readFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8')))
  .map((file) => file.slice(0, -'.mjs'.length))
  .sort();
const only = process.argv.slice(2);
const rows = [];
for (const name of modules) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = performance.now();
  try {
    for (const row of runModule(name)) rows.push({ bench: name, ...row });
  } catch (error) {
    rows.push({ bench: name, name: 'FAILED', value: NaN, unit: '', note: String(error?.message ?? error) });
  }
  process.stderr.write(`[bench] ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const format = (value) => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : (value ?? ''));
const header = ['bench', 'measure', 'value', 'unit', 'baseline', 'ratio', 'goal', 'note'];
const lines = rows.map((row) => [row.bench, row.name, format(row.value), row.unit, format(row.baseline), row.ratio === undefined ? '' : `${format(row.ratio)}x`, row.goal ?? '', row.note ?? '']);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
for (const line of lines) console.log(`| ${line.join(' | ')} |`);
await writeFile(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
if (rows.some((row) => row.name === 'FAILED')) process.exitCode = 1;
