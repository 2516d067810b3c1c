// OpenTelemetry GenAI spans of a run: in memory through the library, and over OTLP/HTTP (JSON and
// protobuf) to a receiver started by the test. Without the OTLP variables no OTel module loads.
import { createServer, type Server } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/run/prepare.js';
import { createDefaultPorts } from '../../src/run/default-ports.js';
import { startRun } from '../../src/run/run.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, repoRoot, runCli, simEnv } from '../e2e/helpers.js';

const secret = 'trace-secret-value-0123456789abcdef';
let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({
    script: (request) => {
      const body = JSON.stringify(request.body);
      if (!body.includes('tool_call_id') && !body.includes('tool_result') && !body.includes('functionResponse')) {
        return { toolCalls: [{ name: 'read', input: { path: 'notes.txt' } }], usage: { input: 100, output: 20 } };
      }
      return { text: `Answer mentioning ${secret}`, usage: { input: 150, output: 10 } };
    },
  });
  root = await makeProject({ 'agents/reader.yaml': agentYaml('reader', { model: 'openai/gpt-test', tools: ['read'] }), 'notes.txt': 'some notes\n' });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('spans of a run (in-memory exporter)', { timeout: 120_000 }, () => {
  it('has run, step, model-call and tool spans with GenAI attributes and cost; no content unless asked', async () => {
    for (const recordContent of [false, true]) {
      const env = { ...simEnv(sim.url), HOLDER_OF_SECRET_TOKEN: secret, ...(recordContent ? { AGENTPIPE_TRACE_CONTENT: '1' } : {}) };
      const prepared = await prepareRun({ file: 'agents/reader.yaml', inputFlags: ['task=read the notes'], cwd: root, env });
      const exporter = new InMemorySpanExporter();
      const result = await startRun({ pipeline: prepared.pipeline, target: prepared.target, inputs: prepared.inputs, ports: createDefaultPorts(prepared.env), env: prepared.env, signal: new AbortController().signal, traceExporter: exporter });
      expect(result.status).toBe('succeeded');
      const spans = exporter.getFinishedSpans();
      const names = spans.map((span) => span.name);
      expect(names).toContain('invoke_workflow agents/reader.yaml');
      expect(names).toContain('invoke_agent reader');
      expect(names.filter((name) => name === 'chat gpt-test')).toHaveLength(2);
      expect(names).toContain('execute_tool read');
      const run = spans.find((span) => span.name.startsWith('invoke_workflow'))!;
      const step = spans.find((span) => span.name === 'invoke_agent reader')!;
      const chats = spans.filter((span) => span.name === 'chat gpt-test');
      const tool = spans.find((span) => span.name === 'execute_tool read')!;
      expect(step.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
      for (const chat of chats) expect(chat.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
      expect(tool.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
      expect(chats[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 });
      expect(chats[0]!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool-calls']);
      expect(chats[1]!.attributes['agentpipe.cost_usd']).toBeCloseTo((150 * 2 + 10 * 8) / 1e6, 12);
      expect(run.attributes['agentpipe.cost_usd']).toBeCloseTo(result.costUsd, 12);
      expect(tool.attributes).toMatchObject({ 'gen_ai.tool.name': 'read', 'agentpipe.tool.decision': 'allowed' });
      const everything = JSON.stringify(spans.map((span) => ({ attributes: span.attributes, status: span.status, events: span.events })));
      expect(everything).not.toContain(secret);
      if (recordContent) {
        expect(String(chats[1]!.attributes['gen_ai.output.messages'])).toContain('Answer mentioning');
        expect(String(tool.attributes['gen_ai.tool.call.arguments'])).toContain('notes.txt');
        // The conversation sent: the first call has the user's task, the second also the tool's answer.
        const firstInput = JSON.parse(String(chats[0]!.attributes['gen_ai.input.messages'])) as { role: string; parts: { type: string; content?: string; response?: string }[] }[];
        expect(firstInput[0]).toMatchObject({ role: 'user' });
        expect(firstInput[0]!.parts[0]!.content).toContain('read the notes');
        const secondInput = JSON.parse(String(chats[1]!.attributes['gen_ai.input.messages'])) as typeof firstInput;
        expect(secondInput.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
        expect(secondInput[2]!.parts[0]).toMatchObject({ type: 'tool_call_response' });
        expect(secondInput[2]!.parts[0]!.response).toContain('some notes');
        expect(String(chats[0]!.attributes['gen_ai.system_instructions'])).toContain('"type":"text"');
      } else {
        expect(everything).not.toContain('read the notes');
        expect(everything).not.toContain('Answer mentioning');
        expect(everything).not.toContain('notes.txt');
      }
    }
  });
});

interface Received {
  contentType: string;
  body: Buffer;
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') received.push({ contentType: String(request.headers['content-type']), body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': String(request.headers['content-type'] ?? 'application/json') }).end(request.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}`, received };
}

describe('OTLP/HTTP export from the CLI', { timeout: 120_000 }, () => {
  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`exports the run's spans as ${protocol} before the process exits`, async () => {
      const receiver = await startReceiver();
      try {
        const result = await runCli(['run', 'agents/reader.yaml', '--input', 'task=read'], { cwd: root, env: { ...simEnv(sim.url), OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_EXPORTER_OTLP_PROTOCOL: protocol } });
        expect(result.code).toBe(0);
        expect(receiver.received.length).toBeGreaterThan(0);
        const bodies = Buffer.concat(receiver.received.map((entry) => entry.body));
        expect(receiver.received[0]!.contentType).toContain(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
        if (protocol === 'http/json') {
          const spans = receiver.received.flatMap((entry) => JSON.parse(entry.body.toString()).resourceSpans.flatMap((resource: { scopeSpans: Array<{ spans: Array<{ name: string; attributes: Array<{ key: string }> }> }> }) => resource.scopeSpans.flatMap((scope) => scope.spans)));
          expect(spans.map((span: { name: string }) => span.name)).toEqual(expect.arrayContaining(['invoke_workflow agents/reader.yaml', 'invoke_agent reader', 'chat gpt-test', 'execute_tool read']));
          const chat = spans.find((span: { name: string }) => span.name === 'chat gpt-test');
          expect(chat.attributes.map((attribute: { key: string }) => attribute.key)).toEqual(expect.arrayContaining(['gen_ai.provider.name', 'gen_ai.usage.input_tokens', 'agentpipe.cost_usd']));
        } else {
          // Protobuf carries strings verbatim: the span names and attribute keys are in the bytes.
          for (const text of ['chat gpt-test', 'execute_tool read', 'gen_ai.usage.output_tokens', 'agentpipe.cost_usd']) expect(bodies.includes(Buffer.from(text))).toBe(true);
        }
      } finally {
        receiver.server.close();
      }
    });
  }

  it('loads no OpenTelemetry module when no OTLP variable is set', async () => {
    const loads = join(root, 'loads.txt');
    const withLoads = (extra: NodeJS.ProcessEnv) => ({ ...simEnv(sim.url), NODE_OPTIONS: `--import=${join(repoRoot, 'test/telemetry/record-loads.mjs')}`, AGENTPIPE_TEST_LOADS: loads, ...extra });
    expect((await runCli(['run', 'agents/reader.yaml', '--input', 'task=read'], { cwd: root, env: withLoads({}) })).code).toBe(0);
    const plain = await readFile(loads, 'utf8');
    expect(plain).toContain('/dist/run/run.js');
    expect(plain).not.toContain('@opentelemetry');
    await rm(loads);
    const receiver = await startReceiver();
    try {
      expect((await runCli(['run', 'agents/reader.yaml', '--input', 'task=read'], { cwd: root, env: withLoads({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }) })).code).toBe(0);
      expect(await readFile(loads, 'utf8')).toContain('@opentelemetry/sdk-trace');
    } finally {
      receiver.server.close();
    }
  });
});
