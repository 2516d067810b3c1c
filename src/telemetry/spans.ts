// Run events -> OpenTelemetry spans, following the GenAI semantic conventions: one span for the run,
// one per step (and for_each item), one per model call (`chat {model}`) and one per tool call
// (`execute_tool {name}`). Spans take their times from the events, so the trace shows what the run
// did, retries and fallbacks included. Content (prompts, answers, tool arguments) is recorded only
// when the caller asks for it, and always redacted.
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { RunEvent } from '../run/events.js';
import type { CallOptions } from '../providers/types.js';
import { requestContent } from './messages.js';

type OtelApi = typeof import('@opentelemetry/api');

export interface SpanBuilderOptions {
  /** Record prompts, answers and tool arguments (AGENTPIPE_TRACE_CONTENT=1). */
  recordContent: boolean;
  redact(text: string): string;
}

/** Provider names as the semantic conventions spell them, by agentpipe provider type or name. */
const providerNames: Record<string, string> = { anthropic: 'anthropic', openai: 'openai', gemini: 'gcp.gemini', ollama: 'ollama' };

export class EventSpans {
  private run: Span | undefined;
  private runContext: Context | undefined;
  private readonly steps = new Map<string, { span: Span; context: Context; text: string[] }>();
  private readonly calls = new Map<string, Span>();
  private readonly tools = new Map<string, Span>();
  /** The request each step is about to send, told before its `model-call` event (content tracing only). */
  private readonly requests = new Map<string, { input: string; system?: string }>();

  constructor(
    private readonly api: OtelApi,
    private readonly tracer: Tracer,
    private readonly options: SpanBuilderOptions,
  ) {}

  /** Called by the step runner before each model call; kept only when content is recorded. */
  onRequest(stepId: string, request: Pick<CallOptions, 'system' | 'messages'>): void {
    if (this.options.recordContent) this.requests.set(stepId, requestContent(request));
  }

  onEvent(event: RunEvent): void {
    const time = new Date(event.time);
    const step = event.stepId ?? '';
    switch (event.type) {
      case 'run-start': {
        this.run = this.tracer.startSpan(`invoke_workflow ${event.target}`, { startTime: time, attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'agentpipe.run.id': event.runId, 'agentpipe.target': event.target, 'agentpipe.kind': event.kind, 'agentpipe.resumed': event.resumed } }, this.api.ROOT_CONTEXT);
        this.runContext = this.api.trace.setSpan(this.api.ROOT_CONTEXT, this.run);
        return;
      }
      case 'step-start': {
        const span = this.tracer.startSpan(`invoke_agent ${event.agent}`, { startTime: time, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': event.agent, 'gen_ai.request.model': modelName(event.model), 'agentpipe.step.id': step } }, this.runContext);
        this.steps.set(step, { span, context: this.api.trace.setSpan(this.runContext ?? this.api.ROOT_CONTEXT, span), text: [] });
        return;
      }
      case 'model-call': {
        this.endCall(step, time, undefined);
        const parent = this.steps.get(step)?.context ?? this.runContext;
        const span = this.tracer.startSpan(`chat ${modelName(event.model)}`, { kind: this.api.SpanKind.CLIENT, startTime: time, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': providerOf(event.model), 'gen_ai.request.model': modelName(event.model), 'agentpipe.attempt': event.attempt } }, parent);
        const request = this.requests.get(step);
        if (request) {
          span.setAttribute('gen_ai.input.messages', this.options.redact(request.input));
          if (request.system) span.setAttribute('gen_ai.system_instructions', this.options.redact(request.system));
        }
        this.calls.set(step, span);
        const entry = this.steps.get(step);
        if (entry) entry.text = [];
        return;
      }
      case 'text-delta': {
        if (this.options.recordContent) this.steps.get(step)?.text.push(event.delta);
        return;
      }
      case 'model-retry':
      case 'model-fallback': {
        this.endCall(step, time, { code: this.api.SpanStatusCode.ERROR, message: event.errorClass }, { 'error.type': event.errorClass, ...(event.status === undefined ? {} : { 'http.response.status_code': event.status }) });
        return;
      }
      case 'usage': {
        const span = this.calls.get(step);
        if (!span) return;
        const attributes: Attributes = {
          'gen_ai.usage.input_tokens': event.usage.inputTokens,
          'gen_ai.usage.output_tokens': event.usage.outputTokens,
          'gen_ai.usage.cache_read.input_tokens': event.usage.cacheReadTokens,
          'gen_ai.usage.cache_creation.input_tokens': event.usage.cacheWriteTokens,
          'gen_ai.response.model': event.responseModel ?? modelName(event.model),
          'agentpipe.cost_usd': event.costUsd,
        };
        if (event.finishReason) attributes['gen_ai.response.finish_reasons'] = [event.finishReason];
        const text = this.steps.get(step)?.text.join('');
        if (this.options.recordContent && text) attributes['gen_ai.output.messages'] = this.options.redact(JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }]));
        span.setAttributes(attributes);
        this.endCall(step, time, undefined);
        return;
      }
      case 'tool-call': {
        const parent = this.steps.get(step)?.context ?? this.runContext;
        const attributes: Attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': event.tool, 'gen_ai.tool.call.id': event.toolCallId };
        if (this.options.recordContent) attributes['gen_ai.tool.call.arguments'] = this.options.redact(JSON.stringify(event.input));
        this.tools.set(event.toolCallId, this.tracer.startSpan(`execute_tool ${event.tool}`, { kind: this.api.SpanKind.INTERNAL, startTime: time, attributes }, parent));
        return;
      }
      case 'tool-result': {
        const span = this.tools.get(event.toolCallId);
        if (!span) return;
        span.setAttributes({ 'agentpipe.tool.decision': event.decision, 'agentpipe.tool.output_bytes': event.outputBytes });
        if (event.isError) span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: event.decision === 'denied' ? 'denied' : 'tool error' });
        span.end(time);
        this.tools.delete(event.toolCallId);
        return;
      }
      case 'step-end': {
        this.endCall(step, time, event.status === 'failed' ? { code: this.api.SpanStatusCode.ERROR, message: this.options.redact(event.error ?? 'failed') } : undefined);
        const entry = this.steps.get(step);
        if (!entry) return;
        entry.span.setAttributes({ 'agentpipe.step.status': event.status, 'agentpipe.cost_usd': event.costUsd, 'gen_ai.usage.input_tokens': event.usage.inputTokens, 'gen_ai.usage.output_tokens': event.usage.outputTokens });
        if (event.status === 'failed') entry.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: this.options.redact(event.error ?? 'failed') });
        entry.span.end(time);
        this.steps.delete(step);
        this.requests.delete(step);
        return;
      }
      case 'run-end': {
        for (const [id] of this.steps) this.onEvent({ ...event, type: 'step-end', stepId: id, status: 'failed', costUsd: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, durationMs: 0, error: event.status });
        for (const span of this.tools.values()) span.end(time);
        this.tools.clear();
        if (!this.run) return;
        this.run.setAttributes({ 'agentpipe.run.status': event.status, 'agentpipe.cost_usd': event.costUsd });
        if (event.status !== 'succeeded') this.run.setStatus({ code: this.api.SpanStatusCode.ERROR, message: event.status });
        this.run.end(time);
        this.run = undefined;
        return;
      }
      default:
        return;
    }
  }

  private endCall(step: string, time: Date, status: { code: number; message: string } | undefined, attributes: Attributes = {}): void {
    const span = this.calls.get(step);
    if (!span) return;
    span.setAttributes(attributes);
    if (status) span.setStatus(status);
    span.end(time);
    this.calls.delete(step);
  }
}

/** `anthropic/claude-x` -> `claude-x`. */
function modelName(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(slash + 1);
}

function providerOf(id: string): string {
  const name = id.slice(0, Math.max(0, id.indexOf('/')));
  return providerNames[name] ?? name;
}
