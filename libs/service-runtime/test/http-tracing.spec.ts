import 'reflect-metadata';
import { Body, Controller, Get, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Server } from 'node:http';
import request from 'supertest';
import { installHttpTracing } from '../src/http-tracing.js';
import { httpMetricsMiddleware } from '../src/metrics.js';
import { startTracing, type TracingHandle } from '../src/tracing.js';

/** What the handler saw as the active span after its body was parsed and an await passed. */
const seen: { traceId?: string; spanId?: string }[] = [];

@Controller('v1/things')
class ThingsController {
  @Post(':id/start')
  async start(@Param('id') id: string, @Body() body: { note?: string }) {
    await new Promise((resolve) => setImmediate(resolve));
    const span = trace.getActiveSpan()?.spanContext();
    seen.push({ traceId: span?.traceId, spanId: span?.spanId });
    return { id, note: body.note ?? null };
  }
}

@Controller()
class ProbeController {
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [ThingsController, ProbeController] })
class TestModule {}

describe('HTTP server spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  let app: INestApplication;
  const server = () => app.getHttpServer() as Server;

  beforeAll(async () => {
    tracing = startTracing('http-test', { exporter });
    app = await NestFactory.create(TestModule, { logger: false });
    app.use(httpMetricsMiddleware);
    installHttpTracing(app);
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    seen.length = 0;
  });

  it('continues an incoming traceparent, names the span by route template and keeps it active in the handler', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    await request(server())
      .post('/v1/things/b-42/start')
      .set('traceparent', `00-${traceId}-${callerSpan}-01`)
      .send({ note: 'x'.repeat(50_000) })
      .expect(201);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('POST /v1/things/:id/start');
    expect(span.attributes['http.route']).toBe('/v1/things/:id/start');
    expect(span.attributes['http.response.status_code']).toBe(201);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(callerSpan);
    // After the body parser and an await, the handler still runs inside the server span.
    expect(seen).toEqual([{ traceId, spanId: span.spanContext().spanId }]);
  });

  it('starts a new trace without traceparent, records 404s, and leaves probes untraced', async () => {
    await request(server()).post('/v1/things/b-1/start').send({}).expect(201);
    await request(server()).get('/nowhere/123').expect(404);
    await request(server()).get('/healthz').expect(200);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['GET', 'POST /v1/things/:id/start']);
    const started = spans.find((s) => s.name.startsWith('POST'))!;
    expect(started.parentSpanContext).toBeUndefined();
    expect(seen[0]?.traceId).toBe(started.spanContext().traceId);
    const missing = spans.find((s) => s.name === 'GET')!;
    expect(missing.attributes['http.response.status_code']).toBe(404);
  });
});
