// Finds or installs the validation tools, so a fresh clone needs nothing done by hand:
// - helm: built with `go install helm.sh/helm/v4/cmd/helm@HELM_VERSION` into .tools/go-bin
//   (no `replace` in its go.mod; a cold build with an empty module cache takes about 3.5 minutes);
// - promtool, docker-compose (1.29.2, validates offline), yamllint: Debian packages, installed with
//   apt-get when missing (root only, as on CI).
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { run, runOrThrow } from './exec.ts';
import { toolsDir } from './paths.ts';

export const HELM_VERSION = 'v4.3.1';
const goBin = resolve(toolsDir, 'go-bin');

export interface Tools {
  helm: string;
  promtool: string;
  dockerCompose: string;
  yamllint: string;
}

function which(cmd: string): string | undefined {
  const r = run('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The locally built helm when it is the pinned version. */
function helmPath(): string | undefined {
  const path = resolve(goBin, 'helm');
  if (!existsSync(path)) return undefined;
  const want = HELM_VERSION.split('.').slice(0, 2).join('.'); // go-install builds print "v4.3"
  const r = run(path, ['version', '--template', '{{.Version}}']);
  return r.status === 0 && r.stdout.trim().startsWith(want) ? path : undefined;
}

function installHelm(log: (line: string) => void): string {
  if (!which('go')) throw new Error('helm is missing and Go is not installed to build it');
  mkdirSync(goBin, { recursive: true });
  log(`deploy-checks: building helm ${HELM_VERSION} with go install (cold: a few minutes) ...`);
  runOrThrow('go', ['install', `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`], {
    env: { ...process.env, GOBIN: goBin, GOFLAGS: '-mod=mod' },
  });
  const path = helmPath();
  if (!path) throw new Error(`go install of helm ${HELM_VERSION} did not produce ${goBin}/helm`);
  return path;
}

function installDebianTools(log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'promtool, docker-compose or yamllint is missing: run as root or `apt-get install -y prometheus docker-compose yamllint`',
    );
  }
  log('deploy-checks: apt-get install prometheus docker-compose yamllint ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runOrThrow('apt-get', ['update', '-qq'], { env });
  runOrThrow(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', 'prometheus', 'docker-compose', 'yamllint'],
    { env },
  );
}

/**
 * Returns the tools, installing what is missing. Serialised with a lock file, so a Jest run and a
 * verify:deploy run started together do not both build helm.
 */
export function ensureTools(log: (line: string) => void = (l) => console.error(l)): Tools {
  mkdirSync(toolsDir, { recursive: true });
  const have = (): Partial<Tools> => ({
    helm: helmPath(),
    promtool: which('promtool'),
    dockerCompose: which('docker-compose'),
    yamllint: which('yamllint'),
  });
  let tools = have();
  if (!tools.helm || !tools.promtool || !tools.dockerCompose || !tools.yamllint) {
    log('deploy-checks: installing missing tools (a cold helm build takes a few minutes) ...');
    // Re-run this module's installer under flock; the child re-checks before installing.
    const script = `import('${import.meta.filename}').then((m) => m.installMissing())`;
    runOrThrow('flock', [resolve(toolsDir, 'deploy-tools.lock'), process.execPath, '-e', script], {
      env: process.env,
    });
    tools = have();
  }
  if (!tools.helm || !tools.promtool || !tools.dockerCompose || !tools.yamllint) {
    throw new Error(`validation tools still missing: ${JSON.stringify(tools)}`);
  }
  log(
    `deploy-checks: tools helm=${tools.helm} promtool=${tools.promtool} docker-compose=${tools.dockerCompose}`,
  );
  return tools as Tools;
}

/** Installs whatever is missing (called under the lock by ensureTools). */
export function installMissing(): void {
  const log = (line: string) => console.error(line);
  if (!which('promtool') || !which('docker-compose') || !which('yamllint')) installDebianTools(log);
  if (!helmPath()) installHelm(log);
}
