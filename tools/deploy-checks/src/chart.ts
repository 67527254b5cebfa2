// helm lint / template of deploy/helm/wa-broadcast, Kubernetes schema validation of every rendered
// object (kubernetes-models, with the KEDA and Prometheus Operator kinds) and our policy checks.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run, type RunResult } from './exec.ts';
import { chartDir, ciValuesDir, outDir } from './paths.ts';

export const KUBE_VERSION = '1.30.0';
export const API_VERSIONS = ['keda.sh/v1alpha1', 'monitoring.coreos.com/v1'];

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- rendered manifests are loose JSON */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: any;
};

let helmHome: string | undefined;
/** helm with its cache/config/data in a private temp dir (nothing read from or written to ~). */
function helmEnv(): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'wab-helm-'));
  return {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
}

export function ciValuesFiles(): string[] {
  return readdirSync(ciValuesDir)
    .filter((f) => f.endsWith('-values.yaml'))
    .sort()
    .map((f) => resolve(ciValuesDir, f));
}

export function helmLint(helm: string, valuesFile: string): RunResult {
  return run(
    helm,
    ['lint', '--strict', chartDir, '-f', valuesFile, '--kube-version', KUBE_VERSION],
    {
      env: helmEnv(),
    },
  );
}

/** helm template with extra values files and --set pairs; returns the run (stdout = manifests). */
export function helmTemplate(
  helm: string,
  valuesFiles: string[],
  set: string[] = [],
  release = 'wab',
  namespace = 'broadcast',
): RunResult {
  const args = ['template', release, chartDir, '-n', namespace, '--kube-version', KUBE_VERSION];
  for (const v of API_VERSIONS) args.push('--api-versions', v);
  for (const f of valuesFiles) args.push('-f', f);
  for (const s of set) args.push('--set', s);
  return run(helm, args, { env: helmEnv() });
}

/** Renders a CI values file, saves the manifests under artifacts/deploy and returns the objects. */
export function renderValuesFile(helm: string, valuesFile: string): K8sObject[] {
  const r = helmTemplate(helm, [valuesFile]);
  if (r.status !== 0)
    throw new Error(`helm template -f ${basename(valuesFile)} failed:\n${r.stderr}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(resolve(outDir, `rendered-${basename(valuesFile, '.yaml')}.yaml`), r.stdout);
  return parseManifests(r.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`invalid YAML rendered: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

function modelModule(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : [undefined, apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}/${kind}`;
  if (group === 'monitoring.coreos.com')
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${kind}`;
  if (group === 'kafka.strimzi.io') return undefined; // no model package: structural check below
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/v1/${kind}`;
}

/** Validates one object against its Kubernetes/CRD schema; returns problems (empty = valid). */
export async function validateSchema(obj: K8sObject): Promise<string[]> {
  const id = `${obj.kind}/${obj.metadata?.name}`;
  const mod = modelModule(obj.apiVersion, obj.kind);
  if (!mod) {
    if (obj.kind === 'KafkaTopic') {
      const spec = obj.spec as { partitions?: unknown; replicas?: unknown; topicName?: unknown };
      const ok =
        Number.isInteger(spec?.partitions) &&
        Number.isInteger(spec?.replicas) &&
        typeof spec?.topicName === 'string' &&
        typeof obj.metadata.labels?.['strimzi.io/cluster'] === 'string';
      return ok
        ? []
        : [
            `${id}: KafkaTopic needs spec.partitions, spec.replicas, spec.topicName and the strimzi.io/cluster label`,
          ];
    }
    return [`${id}: no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  let Model: new (o: unknown) => { validate(): void };
  try {
    const loaded = (await import(mod)) as Record<string, new (o: unknown) => { validate(): void }>;
    const found = loaded[obj.kind];
    if (!found) return [`${id}: ${mod} exports no ${obj.kind}`];
    Model = found;
  } catch {
    return [`${id}: no schema for ${obj.apiVersion} ${obj.kind} (${mod})`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (error) {
    return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
}

function podSpecOf(obj: K8sObject): Record<string, any> | undefined {
  if (
    obj.kind === 'Deployment' ||
    obj.kind === 'StatefulSet' ||
    obj.kind === 'DaemonSet' ||
    obj.kind === 'Job'
  )
    return obj.spec?.template?.spec;
  return undefined;
}

/** Policy checks a schema cannot express. Returns problems (empty = compliant). */
export function policyProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const scaled = new Map<string, string>(); // Deployment name → autoscaler kind
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.name}`;
    if ((o.metadata?.name ?? '').length > 63)
      problems.push(`${id}: name longer than 63 characters`);
    if (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject') {
      const target = o.spec?.scaleTargetRef?.name as string;
      if (scaled.has(target))
        problems.push(
          `${id}: Deployment ${target} already has a ${scaled.get(target)} (KEDA owns its own HPA)`,
        );
      scaled.set(target, o.kind);
    }
  }
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.name}`;
    const pod = podSpecOf(o);
    if (!pod) continue;
    if (o.kind === 'Deployment') {
      if (scaled.has(o.metadata.name) && o.spec?.replicas !== undefined)
        problems.push(
          `${id}: sets replicas although ${scaled.get(o.metadata.name)} owns it (every upgrade would reset the scale)`,
        );
      const sel = (o.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
      const labels = (o.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
      for (const [k, v] of Object.entries(sel))
        if (labels[k] !== v) problems.push(`${id}: selector ${k}=${v} not among the pod labels`);
    }
    if (pod.securityContext?.runAsNonRoot !== true)
      problems.push(`${id}: pod securityContext.runAsNonRoot is not true`);
    if (pod.automountServiceAccountToken !== false)
      problems.push(`${id}: automountServiceAccountToken is not false`);
    const containers = [
      ...((pod.initContainers ?? []) as Container[]),
      ...((pod.containers ?? []) as Container[]),
    ];
    for (const c of containers) {
      const cid = `${id} container ${c.name}`;
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
        problems.push(`${cid}: resources.requests.cpu/memory not set`);
      if (!c.resources?.limits?.memory) problems.push(`${cid}: resources.limits.memory not set`);
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true)
        problems.push(`${cid}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${cid}: allowPrivilegeEscalation is not false`);
      if (sc.runAsNonRoot !== true && pod.securityContext?.runAsNonRoot !== true)
        problems.push(`${cid}: runAsNonRoot is not true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL'))
        problems.push(`${cid}: capabilities.drop does not include ALL`);
      const image = c.image ?? '';
      const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:[^/:@]+$/.test(image);
      if (!pinned || /:latest$/.test(image))
        problems.push(`${cid}: image "${image}" is not pinned (tag other than latest, or digest)`);
    }
  }
  return problems;
}
