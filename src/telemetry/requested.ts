// Whether the environment asks for traces. Kept apart from tracing.ts so that the run can ask
// without loading anything of OpenTelemetry.
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT']);
}
