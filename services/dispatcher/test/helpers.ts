import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ensureTopics } from '@wab/kafka-runtime';
import { freePort, startNode, waitFor, type RunningProcess } from '@wab/service-runtime/testing';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const repo = resolve(import.meta.dirname, '../../..');

/** A fresh topic prefix with every pipeline topic created, so tests never see each other's events. */
export async function freshTopics(): Promise<string> {
  const prefix = `t${randomUUID().slice(0, 8)}.`;
  await ensureTopics(brokers, { prefix, partitions: { sendRequests: 6, sendResults: 3, rows: 3 } });
  return prefix;
}

export interface SimulatorProcess {
  url: string;
  proc: RunningProcess;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the WhatsApp Cloud API simulator as its own process on a free port. */
export async function startSimulatorProcess(args: string[] = []): Promise<SimulatorProcess> {
  const port = await freePort();
  const proc = startNode(resolve(repo, 'tools/wa-simulator/dist/cli.js'), {}, [
    '--port',
    String(port),
    '--seed',
    '7',
    ...args,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the simulator to answer',
    async () => ((await fetch(`${url}/_sim/ledger`)).ok ? true : undefined),
    {
      timeoutMs: 20_000,
    },
  );
  return {
    url,
    proc,
    get: async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T,
    stop: async () => {
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}
