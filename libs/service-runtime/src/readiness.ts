import { Injectable } from '@nestjs/common';

export type ReadinessProbe = () => Promise<boolean> | boolean;

/**
 * What a service must reach to do its work (Kafka, the database, ...). Adapters register a probe
 * when they connect; `GET /readyz` answers 503 while any probe fails, so Kubernetes stops routing
 * to a replica that lost its broker or database, without restarting it (liveness is /healthz).
 */
@Injectable()
export class ReadinessChecks {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  entries(): [string, ReadinessProbe][] {
    return [...this.probes];
  }
}
