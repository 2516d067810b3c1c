// Tracing of one process's runs, on only when asked: OTEL_EXPORTER_OTLP_ENDPOINT (or the traces
// variant) set, or an exporter passed in by a test. Nothing of OpenTelemetry is imported otherwise,
// so a plain run pays nothing for it. Exports over OTLP/HTTP, protobuf by default or JSON when
// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL is http/json, and is flushed before the run returns.
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { RunEvent } from '../run/events.js';
import type { CallOptions } from '../providers/types.js';
import { EventSpans } from './spans.js';
import { tracingRequested } from './requested.js';

export interface RunTracer {
  onEvent(event: RunEvent): void;
  /** The request a step is about to send; recorded on its `chat` span when content tracing is on. */
  onRequest(stepId: string, request: Pick<CallOptions, 'system' | 'messages'>): void;
  /** Exports what is pending; call before the process may exit. */
  flush(): Promise<void>;
}

export interface TracingOptions {
  env: NodeJS.ProcessEnv;
  redact(text: string): string;
  /** Tests: export here instead of OTLP. */
  exporter?: SpanExporter;
  /** One line to warn about configuration (an unsupported protocol). */
  warn?(message: string): void;
}


export async function createRunTracer(options: TracingOptions): Promise<RunTracer | undefined> {
  const { env } = options;
  if (!options.exporter && !tracingRequested(env)) return undefined;
  if (env['OTEL_SDK_DISABLED'] === 'true') return undefined;
  const [api, { TracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = options.exporter ?? (await otlpExporter(env, options.warn));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || 'agentpipe' }),
    // A test exporter sees each span at once; OTLP batches and is flushed at the end of the run.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  const spans = new EventSpans(api, provider.getTracer('agentpipe', '0.1.0'), { recordContent: env['AGENTPIPE_TRACE_CONTENT'] === '1', redact: options.redact });
  return {
    onEvent: (event) => spans.onEvent(event),
    onRequest: (stepId, request) => spans.onRequest(stepId, request),
    async flush() {
      await provider.forceFlush().catch((error: unknown) => options.warn?.(`could not export traces: ${error instanceof Error ? error.message : String(error)}`));
    },
  };
}

async function otlpExporter(env: NodeJS.ProcessEnv, warn: TracingOptions['warn']): Promise<SpanExporter> {
  const tracesEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  // The generic endpoint is a base URL: the signal path is appended. The traces one is used as is.
  const url = tracesEndpoint || `${String(env['OTEL_EXPORTER_OTLP_ENDPOINT']).replace(/\/+$/, '')}/v1/traces`;
  if (!URL.canParse(url)) {
    const name = tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    const { UsageError } = await import('../errors.js');
    throw new UsageError(`${name} is \`${String(env[name])}\`, which is not a URL; set it like http://127.0.0.1:4318${tracesEndpoint ? '/v1/traces' : ''}, or unset it to turn tracing off`);
  }
  const protocol = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] || env['OTEL_EXPORTER_OTLP_PROTOCOL'] || 'http/protobuf';
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url });
  }
  if (protocol !== 'http/protobuf') warn?.(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported; exporting traces as http/protobuf`);
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url });
}
