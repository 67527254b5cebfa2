// The obvious implementation of the dispatcher, kept only as the benchmark's baseline (`naive`
// scenario): a NestJS microservice on the built-in Kafka transport (ServerKafka), an @EventPattern
// handler on send-requests, one Cloud API call per message, awaited, then the result published.
// ServerKafka runs kafkajs `eachMessage`, so each partition handles one message at a time and the
// fetch loop waits for the slowest partition: throughput ≈ partitions / latency at best. That is the
// 27-hour problem of the design brief; the real dispatcher exists because of it. Never deploy this.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { NaiveModule } from './naive.module.js';
import { settings } from './settings.js';

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NaiveModule, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'naive-dispatcher', brokers: settings.brokers },
      consumer: { groupId: settings.groupId },
      subscribe: { fromBeginning: true },
      postfixId: '',
    },
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  await app.listen();
}

main().catch((error: unknown) => {
  process.stderr.write(`naive-dispatcher failed: ${String(error)}\n`);
  process.exit(1);
});
