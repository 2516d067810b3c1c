// What a command sees inside the bubblewrap sandbox, checked from inside with real programs: system
// folders read-only, no home or neighbours, masks, writes only where write.allow says, its own PID
// namespace, no capabilities, no network, limits. Runs as root on CI and here: the root cases matter.

import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Permissions, ToolSet } from '../../src/compile/ir.js';
import { requireCommands } from '../support/system.js';
import { makeSandbox, run, toolSet, type Sandbox } from '../tools/helpers.js';

const hasSandbox = requireCommands('OS sandbox', { bwrap: 'bubblewrap' });
const node = process.execPath;
const parentKey = 'sandbox-parent-key-6f1d2c3b4a5e';
const canary = `canary-${process.pid}-${Date.now()}`;

let sandbox: Sandbox;
let set: ToolSet;
let hostTmpCanary: string;
let fakeHome: string;
let server: Server;
let serverPort = 0;
let connections = 0;

/** Shell mode with everything allowed: the argument patterns step aside so the sandbox alone is tested. */
function openPolicy(base: ToolSet, bash: Partial<Permissions['bash']> = {}, rest: Partial<Permissions> = {}): ToolSet {
  return {
    ...base,
    permissions: {
      ...base.permissions,
      read: { ...base.permissions.read, deny: ['**/*.pem', '.git/**', 'secret-folder/**', 'out/private/**'] },
      write: { allow: ['out/**', 'notes.txt'], deny: ['out/locked/**'], maxBytes: 1024 },
      ...rest,
      bash: { ...base.permissions.bash, allow: ['*'], deny: [], shell: true, env: ['PATH', 'HOME', 'SAFE_VAR'], expose: [], ...bash },
    },
  };
}

const sh = (command: string, toolSetToUse: ToolSet = set) =>
  run(toolSetToUse, sandbox, 'bash', { command }, { env: { PATH: process.env['PATH'], HOME: fakeHome, SAFE_VAR: 'visible', ANTHROPIC_API_KEY: parentKey } });

beforeAll(async () => {
  sandbox = await makeSandbox({
    'README.md': 'readme\n',
    'notes.txt': 'notes\n',
    '.env': `KEY=${canary}-dotenv\n`,
    'sub/.env.local': `KEY=${canary}-nested-dotenv\n`,
    'keys/server.pem': `${canary}-pem\n`,
    '.git/config': `[core]\n# ${canary}-git\n`,
    '.git/deep/.env.deep': `KEY=${canary}-exposed-dotenv\n`,
    'secret-folder/a.txt': `${canary}-folder\n`,
    'out/keep.txt': 'keep\n',
    'out/locked/frozen.txt': 'frozen\n',
    'out/private/p.txt': `${canary}-private\n`,
  });
  await writeFile(join(sandbox.outside, 'secret.txt'), `${canary}-outside\n`);
  hostTmpCanary = join(tmpdir(), `agentpipe-sandbox-canary-${process.pid}`);
  await writeFile(hostTmpCanary, `${canary}-host-tmp\n`);
  fakeHome = join(sandbox.outside, 'home');
  await mkdir(join(fakeHome, '.ssh'), { recursive: true });
  await writeFile(join(fakeHome, '.ssh', 'id_ed25519'), `${canary}-ssh\n`);
  await writeFile(join(sandbox.outside, 'neighbour-marker'), 'x');
  set = openPolicy(toolSet(sandbox));
  server = createServer((socket) => {
    connections += 1;
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(hostTmpCanary, { force: true });
  await sandbox.cleanup();
});

describe.skipIf(!hasSandbox)('inside the sandbox', () => {
  test('system folders are there, read-only; the host root folders that are not are absent', async () => {
    const result = await sh('ls /usr/bin/git /etc/hostname >/dev/null && echo ok; touch /usr/pwned /etc/pwned 2>&1; ls -d /home /root /srv /mnt /var /run /opt/* 2>&1');
    expect(result.output).toContain('ok');
    expect(result.output).toMatch(/\/usr\/pwned.*Read-only file system/);
    expect(result.output).toMatch(/\/etc\/pwned.*Read-only file system/);
    for (const folder of ['/home', '/srv', '/mnt', '/var', '/run']) expect(result.output).toContain(`cannot access '${folder}'`);
  });

  test('/etc hides what an unprivileged user could not read, and /etc/passwd lists no host accounts', async () => {
    const hostPasswd = await readFile('/etc/passwd', 'utf8');
    const result = await sh('cat /etc/shadow 2>&1; echo ---; cat /etc/passwd');
    expect(result.output).not.toMatch(/root:[^:]*:\d+:\d+:\d*:/); // no shadow line
    const [, inside = ''] = result.output.split('---\n');
    expect(inside).toContain('root:x:0:0:');
    const hostOnly = hostPasswd.split('\n').filter((line) => line && !/^(root|nobody):/.test(line));
    expect(hostOnly.length).toBeGreaterThan(0);
    for (const line of hostOnly) expect(inside).not.toContain(line);
  });

  test('no home folder, no neighbour of the workspace, no host /tmp', async () => {
    const result = await sh(`cat ${join(fakeHome, '.ssh', 'id_ed25519')} ${join(sandbox.outside, 'secret.txt')} ${hostTmpCanary} ../outside/secret.txt 2>&1; ls -a .. /tmp ../outside 2>&1; echo HOME=$HOME`);
    expect(result.output).not.toContain(canary);
    expect(result.output).toContain('No such file or directory');
    expect(result.output).toContain('HOME=/tmp');
    expect(result.output).not.toContain('neighbour-marker');
  });

  test('read.deny is masked: files empty, folders empty, .env* at any depth, created-later files too', async () => {
    const result = await sh('cat keys/server.pem .git/config .env sub/.env.local out/private/p.txt 2>&1; ls -a secret-folder .git out/private');
    expect(result.output).not.toContain(canary);
    // A file put into a masked folder on the host after the sandbox starts stays hidden.
    await writeFile(join(sandbox.workspace, 'secret-folder', 'later.txt'), `${canary}-later\n`);
    const again = await sh('cat secret-folder/later.txt 2>&1; echo ---; ls -a secret-folder');
    expect(again.output).not.toContain(canary);
    expect(again.output.split('---')[1]).not.toContain('later.txt');
  });

  test('bash.expose shows a denied folder again, but never a .env file', async () => {
    const exposing = openPolicy(toolSet(sandbox), { expose: ['.git/**', '.env*', '**/.env*'] });
    // `$e` spells .env at run time: the argument check (a first filter) would stop the literal name.
    const result = await sh('e=.e; cat .git/config; cat ${e}nv sub/${e}nv.local .git/deep/${e}nv.deep 2>&1', exposing);
    expect(result.output).toContain(`${canary}-git`);
    expect(result.output).not.toContain(`${canary}-exposed-dotenv`);
    expect(result.output).not.toContain(`${canary}-dotenv`);
    expect(result.output).not.toContain(`${canary}-nested-dotenv`);
  });

  test('writes land only where write.allow says, and write.deny holds inside it', async () => {
    const result = await sh('echo a > out/new.txt && echo b > notes.txt && echo written; echo c > README.md; echo d > out/locked/frozen.txt; echo e > new-root.txt; mkdir out/dir && echo f > out/dir/x && echo nested');
    expect(result.output).toContain('written');
    expect(result.output).toContain('nested');
    expect(await readFile(join(sandbox.workspace, 'out/new.txt'), 'utf8')).toBe('a\n');
    expect(await readFile(join(sandbox.workspace, 'notes.txt'), 'utf8')).toBe('b\n');
    expect(await readFile(join(sandbox.workspace, 'README.md'), 'utf8')).toBe('readme\n');
    expect(await readFile(join(sandbox.workspace, 'out/locked/frozen.txt'), 'utf8')).toBe('frozen\n');
    expect(await readdir(sandbox.workspace)).not.toContain('new-root.txt');
  });

  test('its own /tmp is private and gone after the call', async () => {
    await sh('echo x > /tmp/left-behind');
    const second = await sh('ls /tmp');
    expect(second.output).not.toContain('left-behind');
    expect(await readdir(tmpdir())).not.toContain('left-behind');
  });

  test('its own PID namespace: no other process, and /proc/1/environ holds only the scrubbed env', async () => {
    const result = await sh(`ls /proc | grep -c '^[0-9]'; cat /proc/1/environ /proc/self/environ | tr '\\0' '\\n'; ls /proc/${process.pid} 2>&1`);
    const count = Number(result.output.split('\n')[0]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(10);
    expect(result.output).toContain('SAFE_VAR=visible');
    expect(result.output).not.toContain(parentKey);
    expect(result.output).not.toContain('ANTHROPIC_API_KEY');
  });

  test('no capabilities, no_new_privs, and no way back to them: remounting read-only views fails', async () => {
    const result = await sh(
      'grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status; mount -o remount,rw /usr 2>&1; mount -o remount,rw ' +
        `${sandbox.workspace} 2>&1; unshare -rm sh -c "mount -o remount,rw /usr && echo REMOUNTED" 2>&1; unshare -U true 2>&1 || echo no-userns; touch /usr/pwned 2>&1`,
    );
    expect(result.output).toMatch(/CapEff:\s+0+\n/);
    expect(result.output).toMatch(/CapBnd:\s+0+\n/);
    expect(result.output).toMatch(/NoNewPrivs:\s+1/);
    expect(result.output).not.toContain('REMOUNTED');
    expect(result.output).toContain('no-userns');
    expect(result.output).toMatch(/\/usr\/pwned.*Read-only file system/);
  });

  test('no network: a server on the host loopback cannot be reached', async () => {
    const before = connections;
    const script = `require("net").connect(${serverPort},"127.0.0.1").on("connect",()=>console.log("CONNECTED")).on("error",e=>console.log("blocked",e.code))`;
    const result = await sh(`${node} -e '${script}'`);
    expect(result.output).toContain('blocked');
    expect(result.output).not.toContain('CONNECTED');
    expect(connections).toBe(before);
  });

  test('CPU time and memory are limited', async () => {
    const result = await sh('grep -E "^Max (cpu time|data size)" /proc/self/limits');
    expect(result.output).toMatch(/Max cpu time\s+20\s+20/);
    expect(result.output).toMatch(/Max data size\s+4294967296\s+4294967296/);
  });

  test('the toolchain on PATH is there read-only (node outside /usr runs)', async () => {
    const result = await sh(`${node} -e 'console.log("node", process.version)'; touch ${node}.pwned 2>&1`);
    expect(result.output).toContain(`node ${process.version}`);
    expect(result.output).toMatch(/Read-only file system/);
  });
});
