import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createEnvelope } from '@wab/contracts';
import { startTracing, type TracingHandle } from '@wab/service-runtime';
import { waitFor } from '@wab/service-runtime/testing';
import { BatchEventConsumer, createKafka, ensureTopics, EventPublisher } from '../src/index.js';

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
      handle: (batch) => {
        for (const item of batch) {
          seen.push({
            traceId: trace.getActiveSpan()?.spanContext().traceId,
            parentHeader: item.message.headers?.traceparent?.toString(),
          });
        }
        return Promise.resolve();
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
});
