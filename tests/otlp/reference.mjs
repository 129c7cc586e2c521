// SPDX-License-Identifier: MIT
// Writes one OTLP/JSON ExportTraceServiceRequest line as OpenTelemetry JS
// itself writes it: spans of its SDK (sdk-trace-base) serialized by
// otlp-transformer's JsonTraceSerializer, the code its OTLP/HTTP JSON
// exporter sends. A reference decode.mjs must accept (tests/cli/
// otlp_decode.sh): a root, a child with attributes of every kind, an event
// and an ERROR status, a grandchild with an OK status.
//   node reference.mjs > FILE
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { trace, ROOT_CONTEXT, SpanStatusCode } = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('reference', '1.0.0');
const under = (span) => trace.setSpan(ROOT_CONTEXT, span);

const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
const child = tracer.startSpan('child', {
	attributes: { 'an.int': 7, 'a.double': 1.5, 'a.bool': true, 'a.string': 'x', 'an.array': ['a', 'b'] },
}, under(root));
child.addEvent('exception', { 'exception.message': 'it failed' });
child.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed' });
const grandchild = tracer.startSpan('grandchild', {}, under(child));
grandchild.setStatus({ code: SpanStatusCode.OK });
grandchild.end();
child.end();
root.end();
process.stdout.write(Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())).toString() + '\n');
