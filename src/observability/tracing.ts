import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set: until `startTracing`
 * registers a provider, the API's tracer is a no-op and every helper here costs a function call.
 * The trace context crosses processes in W3C `traceparent` form: HTTP headers in, job payloads
 * from the server to the worker (`injectTraceContext` / `extractTraceContext`).
 */
let tracer = trace.getTracer('assistants');

export interface TracingOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`, as the OTLP spec says. */
  endpoint: string;
  /** Message text and tool arguments on spans: off unless explicitly enabled. */
  recordContent: boolean;
}

let recordContent = false;

/** Whether spans may carry message content (OTEL_RECORD_CONTENT=true). */
export function contentRecordingEnabled(): boolean {
  return recordContent;
}

/** Registers the exporting provider; returns its shutdown (flushes what is buffered). */
export function startTracing(options: TracingOptions): () => Promise<void> {
  const exporter = new OTLPTraceExporter({
    url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
  });
  const provider = new NodeTracerProvider({
    // Large batches, so that a busy process exports a few requests a second, not one per 512
    // spans; a queue for several seconds of them, so that nothing is dropped while one is out.
    // OTEL_TRACES_SAMPLER (e.g. `parentbased_traceidratio` with OTEL_TRACES_SAMPLER_ARG=0.1)
    // is read by the SDK itself.
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: 1000,
        maxExportBatchSize: 2048,
        maxQueueSize: 16_384,
      }),
    ],
  });
  // Also installs the AsyncLocalStorage context manager and the W3C propagator.
  provider.register();
  // Taken again after registering: the SDK registers through the API's CommonJS build, and a
  // tracer taken earlier from this ESM build's proxy would never see the provider.
  tracer = trace.getTracer('assistants');
  recordContent = options.recordContent;
  return async () => {
    await provider.shutdown();
    tracer = trace.getTracer('assistants');
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

/**
 * Runs `work` in a span that ends with it (status error when it throws). Spans opened inside
 * are its children, in this process (AsyncLocalStorage) and, through job payloads, in others.
 */
export function withSpan<T>(
  name: string,
  options: { attributes?: Attributes; kind?: SpanKind; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { attributes: options.attributes, kind: options.kind ?? SpanKind.INTERNAL },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Starts a span the caller ends (an HTTP request ends on the response's `finish`). */
export function startSpan(
  name: string,
  options: { attributes?: Attributes; kind?: SpanKind; parent?: Context },
): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { attributes: options.attributes, kind: options.kind ?? SpanKind.INTERNAL },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** The trace context of the active span as W3C headers (empty while tracing is off). */
export function injectTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** A context from W3C headers (`traceparent`, `tracestate`); the root context without them. */
export function extractTraceContext(carrier: unknown): Context {
  if (carrier === null || typeof carrier !== 'object') {
    return ROOT_CONTEXT;
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(carrier)) {
    if (typeof value === 'string') {
      headers[key] = value;
    } else if (Array.isArray(value) && typeof value[0] === 'string') {
      headers[key] = value[0];
    }
  }
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The active span's ids for log lines (none while tracing is off or outside any span). */
export function activeTraceIds(): { traceId: string; spanId: string } | null {
  const span = trace.getActiveSpan();
  const spanContext = span?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) {
    return null;
  }
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

export { SpanKind };
