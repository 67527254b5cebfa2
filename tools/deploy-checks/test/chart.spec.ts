/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- manifests are loose JSON */
import {
  ciValuesFiles,
  helmLint,
  policyProblems,
  renderValuesFile,
  validateSchema,
} from '../src/chart.ts';
import {
  existingSecret,
  find,
  getTools,
  minimal,
  production,
  render,
  renderError,
} from './helpers.ts';
import { basename } from 'node:path';

describe('helm chart deploy/helm/wa-broadcast', () => {
  describe.each(ciValuesFiles().map((f) => [basename(f), f]))('with ci/%s', (_name, file) => {
    it('passes helm lint --strict', () => {
      const r = helmLint(getTools().helm, file);
      expect(`${r.stdout}${r.stderr}`).toContain('0 chart(s) failed');
      expect(r.status).toBe(0);
    });

    it('renders objects that validate against the Kubernetes, KEDA and Prometheus Operator schemas', async () => {
      const objects = renderValuesFile(getTools().helm, file);
      expect(objects.length).toBeGreaterThan(10);
      expect((await Promise.all(objects.map(validateSchema))).flat()).toEqual([]);
    });

    it('meets the policy: resources, non-root, read-only root fs, drop ALL, pinned images, no replicas under an autoscaler', () => {
      expect(policyProblems(render([file]))).toEqual([]);
    });
  });

  it('renders the four services with probes on /healthz and /readyz', () => {
    const objects = render([minimal]);
    for (const name of ['upload-gateway', 'csv-splitter', 'dispatcher', 'status-tracker']) {
      const d = find(objects, 'Deployment', name);
      const c = d?.spec.template.spec.containers[0];
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(find(objects, 'Service', name)).toBeDefined();
      expect(find(objects, 'ConfigMap', name)?.data.KAFKA_CLIENT_ID).toBe(name);
    }
  });

  it('omits replicas when an HPA (upload-gateway) or KEDA (consumers) owns the Deployment', () => {
    const objects = render([production]);
    expect(find(objects, 'HorizontalPodAutoscaler', 'upload-gateway')).toBeDefined();
    for (const name of ['upload-gateway', 'csv-splitter', 'dispatcher', 'status-tracker'])
      expect(find(objects, 'Deployment', name)?.spec.replicas).toBeUndefined();
    const minimalObjects = render([minimal]);
    expect(find(minimalObjects, 'Deployment', 'dispatcher')?.spec.replicas).toBe(1);
  });

  it('caps KEDA maxReplicaCount at the partition count of the consumed topics', () => {
    const objects = render([production]); // dispatcher asks for 64, send-requests has 48 partitions
    const so = find(objects, 'ScaledObject', 'dispatcher');
    expect(so?.spec.maxReplicaCount).toBe(48);
    expect(so?.spec.triggers[0].metadata).toMatchObject({
      consumerGroup: 'dispatcher',
      topic: 'prod.send-requests',
      offsetResetPolicy: 'earliest',
    });
    expect(so?.spec.triggers[0].authenticationRef).toEqual({ name: 'wa-broadcast-kafka' });
    expect(find(objects, 'ScaledObject', 'csv-splitter')?.spec.maxReplicaCount).toBe(12);
  });

  it('refuses HPA and KEDA on the same component', () => {
    expect(renderError([production], ['components.dispatcher.autoscaling.enabled=true'])).toContain(
      'mutually exclusive',
    );
  });

  it('refuses a KEDA consumer group that differs from DISPATCHER_GROUP_ID', () => {
    expect(
      renderError([production], ['components.dispatcher.config.DISPATCHER_GROUP_ID=other']),
    ).toContain('differs from config.DISPATCHER_GROUP_ID');
  });

  it('fails with a clear message when a required secret has no source', () => {
    expect(renderError([])).toContain('needs WHATSAPP_TOKEN: set secrets.existingSecret');
  });

  it('gives the internal API token to status-tracker and its two callers only, and requires it', () => {
    const objects = render([production]);
    const envOf = (name: string) =>
      find(objects, 'Deployment', name)?.spec.template.spec.containers[0].env as unknown[];
    for (const name of ['status-tracker', 'upload-gateway', 'csv-splitter'])
      expect({ name, env: envOf(name) }).toMatchObject({
        name,
        env: expect.arrayContaining([
          {
            name: 'INTERNAL_API_TOKEN',
            valueFrom: {
              secretKeyRef: { name: 'wa-broadcast-secrets', key: 'INTERNAL_API_TOKEN' },
            },
          },
        ]),
      });
    expect(envOf('dispatcher').map((e) => (e as { name: string }).name)).not.toContain(
      'INTERNAL_API_TOKEN',
    );
    expect(renderError([minimal], ['secrets.values.INTERNAL_API_TOKEN='])).toContain(
      'needs INTERNAL_API_TOKEN: set secrets.existingSecret',
    );
    expect(renderError([minimal], ['secrets.values.INTERNAL_API_TOKEN=too-short'])).toContain(
      'INTERNAL_API_TOKEN',
    );
  });

  it('gives each service the settings its features need: the tracker URL, schedule polling, the dispatcher database', () => {
    const objects = render([production]);
    const gateway = find(objects, 'ConfigMap', 'upload-gateway')?.data;
    expect(gateway).toMatchObject({
      SCHEDULE_POLL_MS: '1000',
      SCHEDULE_LEASE_SECONDS: '60',
      STATUS_TRACKER_URL: 'http://wab-wa-broadcast-status-tracker:80',
    });
    expect(find(objects, 'ConfigMap', 'csv-splitter')?.data.STATUS_TRACKER_URL).toBe(
      'http://wab-wa-broadcast-status-tracker:80',
    );
    // every dispatcher replica shares one attempt record (else a replay could message someone twice)
    const dispatcherEnv = find(objects, 'Deployment', 'dispatcher')?.spec.template.spec
      .containers[0].env;
    expect(dispatcherEnv).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'broadcasts-pg-app', key: 'uri' } },
    });
    expect(
      render([minimal], ['components.upload-gateway.config.SCHEDULE_POLL_MS=0']).length,
    ).toBeGreaterThan(10);
    expect(
      renderError([minimal], ['components.upload-gateway.config.SCHEDULE_POLL_MS=2s']),
    ).toContain('SCHEDULE_POLL_MS');
  });

  it('takes secrets from existingSecret and per-key references, and creates no Secret then', () => {
    const objects = render([production]);
    expect(objects.find((o) => o.kind === 'Secret')).toBeUndefined();
    const env = find(objects, 'Deployment', 'status-tracker')?.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'broadcasts-pg-app', key: 'uri' } },
    });
    expect(env).toContainEqual({
      name: 'WHATSAPP_APP_SECRET',
      valueFrom: { secretKeyRef: { name: 'wa-broadcast-secrets', key: 'WHATSAPP_APP_SECRET' } },
    });
    const gatewayEnv = find(objects, 'Deployment', 'upload-gateway')?.spec.template.spec
      .containers[0].env;
    expect(gatewayEnv).toContainEqual({
      name: 'S3_ACCESS_KEY_ID',
      valueFrom: {
        secretKeyRef: { name: 'wa-broadcast-secrets', key: 'S3_ACCESS_KEY_ID', optional: true },
      },
    });
    // never a secret value in a ConfigMap
    for (const cm of objects.filter(
      (o) => o.kind === 'ConfigMap' && !o.metadata.labels?.grafana_dashboard,
    ))
      expect(
        Object.keys(cm.data ?? {}).filter((k) => /TOKEN|SECRET|API_KEYS|DATABASE_URL/.test(k)),
      ).toEqual([]);
  });

  it('runs a pre-install/pre-upgrade topics Job with the create-topics CLI, or Strimzi KafkaTopics', () => {
    const job = render([production]).find((o) => o.kind === 'Job');
    expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const c = job?.spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', '/app/libs/kafka-runtime/dist/create-topics.cli.js']);
    expect(c.env).toContainEqual({ name: 'TOPIC_PARTITIONS_SEND_REQUESTS', value: '48' });
    expect(c.env).toContainEqual({ name: 'KAFKA_TOPIC_PREFIX', value: 'prod.' });
    const topics = render([existingSecret]).filter((o) => o.kind === 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([
      'broadcast-control',
      'dead-letter',
      'rows',
      'send-requests',
      'send-results',
      'uploaded',
    ]);
  });

  it('ships monitoring objects when enabled: ServiceMonitor with a service label, PrometheusRule, dashboard ConfigMaps', () => {
    const objects = render([production]);
    const sm = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(sm?.spec.jobLabel).toBe('app.kubernetes.io/component');
    expect(sm?.spec.endpoints[0].relabelings[0].targetLabel).toBe('service');
    expect(objects.filter((o) => o.kind === 'PrometheusRule')).toHaveLength(1);
    expect(
      objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1'),
    ).toHaveLength(4);
    expect(
      render([minimal]).filter((o) => o.apiVersion.startsWith('monitoring.coreos.com')),
    ).toEqual([]);
  });

  it('restricts ingress with NetworkPolicies, open only for the public API and webhooks', () => {
    const objects = render([minimal]);
    expect(find(objects, 'NetworkPolicy', 'dispatcher')?.spec.ingress[0].from).toBeDefined();
    expect(find(objects, 'NetworkPolicy', 'upload-gateway')?.spec.ingress[0].from).toBeUndefined();
  });

  it('renders PDBs only for components with 2 or more replicas', () => {
    const objects = render([minimal]);
    expect(
      objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name),
    ).toEqual(['wab-wa-broadcast-upload-gateway']);
  });

  it('rejects values that break the schema', () => {
    expect(renderError([minimal], ['components.dispatcher.replicaCount=many'])).toMatch(
      /replicaCount|schema/i,
    );
    expect(renderError([minimal], ['components.emailer.enabled=true'])).toMatch(/emailer/);
  });
});
