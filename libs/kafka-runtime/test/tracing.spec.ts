import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createEnvelope } from '@wab/contracts';
import { startTracing, type TracingHandle } from '@wab/service-runtime';
import { waitFor } from '@wab/service-runtime/testing';
import {
  BatchEventConsumer,
  createKafka,
  ensureTopics,
  EventPublisher,
  withEventSpan,
  withEventSpans,
} from '../src/index.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * W3C trace context across a real broker: an event published inside a span carries `traceparent`,
 * and the consumer's span (and whatever its handler does) continues the same trace.
 */
describe('trace context in Kafka headers', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  beforeAll(() => {
    tracing = startTracing('kafka-runtime-test', { exporter });
  });
  afterAll(() => tracing.shutdown());

  it('continues the publisher’s trace in the consumer', async () => {
    const prefix = `test-trace-${randomUUID().slice(0, 8)}.`;
    await ensureTopics(brokers, {
      prefix,
      only: ['sendResults', 'deadLetter'],
      partitions: { sendResults: 1, deadLetter: 1 },
    });
    const kafka = createKafka({ brokers, clientId: 'tracing-test' });
    const publisher = new EventPublisher(kafka, { topicPrefix: prefix, lingerMs: 1 });
    await publisher.connect();
    const seen: { traceId?: string; parentHeader?: string }[] = [];
    const consumer = new BatchEventConsumer({
      kafka,
      topicPrefix: prefix,
      publisher,
      groupId: `${prefix}g`,
      topic: 'sendResults',
      handle: async (batch) => {
        for (const item of batch) {
          await withEventSpan(item, () => {
            seen.push({
              traceId: trace.getActiveSpan()?.spanContext().traceId,
              parentHeader: item.message.headers?.traceparent?.toString(),
            });
            return Promise.resolve();
          });
        }
      },
    });
    try {
      await consumer.start();
      const tracer = trace.getTracer('test');
      const root = tracer.startSpan('upload');
      const rootContext = root.spanContext();
      await context.with(trace.setSpan(context.active(), root), () =>
        publisher.publish(
          'sendResults',
          createEnvelope(
            'message.send-result',
            {
              broadcastId: 'b-1',
              recipientId: 'b-1:1',
              rowNumber: 1,
              phoneNumberId: '106540352242922',
              outcome: { status: 'accepted', wamid: 'wamid.1' },
              attempts: 1,
              latencyMs: 10,
            },
            { tenantId: 'acme', correlationId: 'b-1' },
          ),
        ),
      );
      root.end();
      await waitFor('event consumed', () => (seen.length > 0 ? true : undefined), {
        timeoutMs: 60_000,
      });
      expect(seen[0]?.parentHeader).toMatch(
        new RegExp(`^00-${rootContext.traceId}-${rootContext.spanId}-01$`),
      );
      expect(seen[0]?.traceId).toBe(rootContext.traceId);
      const consumerSpan = exporter
        .getFinishedSpans()
        .find((span) => span.name.endsWith('send-results process'));
      expect(consumerSpan?.spanContext().traceId).toBe(rootContext.traceId);
      expect(consumerSpan?.parentSpanContext?.spanId).toBe(rootContext.spanId);
    } finally {
      await consumer.stop();
      await publisher.disconnect();
    }
  });

  it('links a batch span to every event and gives each event its own span in its own trace', async () => {
    const prefix = `test-trace-${randomUUID().slice(0, 8)}.`;
    await ensureTopics(brokers, {
      prefix,
      only: ['sendResults', 'deadLetter'],
      partitions: { sendResults: 1, deadLetter: 1 },
    });
    const kafka = createKafka({ brokers, clientId: 'tracing-test' });
    const publisher = new EventPublisher(kafka, { topicPrefix: prefix, lingerMs: 1 });
    await publisher.connect();
    // Three events from three traces, all on the topic before the consumer starts: one batch.
    const tracer = trace.getTracer('test');
    const roots = [1, 2, 3].map((row) => ({ row, span: tracer.startSpan(`upload ${row}`) }));
    await Promise.all(
      roots.map(({ row, span }) =>
        context.with(trace.setSpan(context.active(), span), () =>
          publisher.publish(
            'sendResults',
            createEnvelope(
              'message.send-result',
              {
                broadcastId: 'b-2',
                recipientId: `b-2:${row}`,
                rowNumber: row,
                phoneNumberId: '106540352242922',
                outcome: { status: 'accepted', wamid: `wamid.${row}` },
                attempts: 1,
                latencyMs: 10,
              },
              { tenantId: 'acme', correlationId: 'b-2' },
            ),
          ),
        ),
      ),
    );
    for (const { span } of roots) span.end();
    const batches: { size: number; traceIds: (string | undefined)[] }[] = [];
    const consumer = new BatchEventConsumer({
      kafka,
      topicPrefix: prefix,
      publisher,
      groupId: `${prefix}g`,
      topic: 'sendResults',
      handle: (batch) =>
        withEventSpans(batch, 'send-result apply', (contexts) => {
          batches.push({
            size: batch.length,
            traceIds: (contexts ?? []).map((ctx) => trace.getSpanContext(ctx)?.traceId),
          });
          return Promise.resolve();
        }),
    });
    exporter.reset();
    try {
      await consumer.start();
      await waitFor('events consumed', () =>
        batches.reduce((n, b) => n + b.size, 0) >= 3 ? true : undefined,
      );
      expect(batches).toEqual([
        { size: 3, traceIds: roots.map((r) => r.span.spanContext().traceId) },
      ]);
      const spans = exporter.getFinishedSpans();
      const batchSpan = spans.find((span) => span.name.endsWith('send-results process batch'));
      expect(batchSpan?.links.map((link) => link.context.spanId).sort()).toEqual(
        roots.map((r) => r.span.spanContext().spanId).sort(),
      );
      const applied = spans.filter((span) => span.name === 'send-result apply');
      expect(applied).toHaveLength(3);
      for (const { span: root } of roots) {
        const child = applied.find((s) => s.spanContext().traceId === root.spanContext().traceId);
        expect(child?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      }
    } finally {
      await consumer.stop();
      await publisher.disconnect();
    }
  });
});
