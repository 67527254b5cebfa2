import { ensureTools, type Tools } from '../src/tools.ts';
import { helmTemplate, parseManifests, type K8sObject } from '../src/chart.ts';
import { ciValuesDir } from '../src/paths.ts';
import { resolve } from 'node:path';

let tools: Tools | undefined;
export function getTools(): Tools {
  tools ??= ensureTools(() => undefined);
  return tools;
}

export const minimal = resolve(ciValuesDir, 'minimal-values.yaml');
export const production = resolve(ciValuesDir, 'production-values.yaml');
export const existingSecret = resolve(ciValuesDir, 'existing-secret-values.yaml');

/** Renders the chart; throws with helm's message when it fails. */
export function render(valuesFiles: string[], set: string[] = []): K8sObject[] {
  const r = helmTemplate(getTools().helm, valuesFiles, set);
  if (r.status !== 0) throw new Error(r.stderr);
  return parseManifests(r.stdout);
}

/** Renders expecting a failure; returns helm's error output. */
export function renderError(valuesFiles: string[], set: string[] = []): string {
  const r = helmTemplate(getTools().helm, valuesFiles, set);
  if (r.status === 0) throw new Error('helm template succeeded, a failure was expected');
  return r.stderr;
}

export function find(objects: K8sObject[], kind: string, component: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name.endsWith(`-${component}`));
}
