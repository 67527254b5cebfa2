// Installing missing system packages from Debian's archive, only when we are root (CI, fresh
// machines); otherwise a clear message says what to install.
import fs from 'node:fs';
import path from 'node:path';
import { InfraError, run } from './proc.ts';
import { logsDir } from './config.ts';

let updated = false;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export async function aptInstall(packages: string[], why: string): Promise<void> {
  if (!isRoot()) {
    throw new InfraError(
      `${why}: install the Debian package(s) ${packages.join(' ')} (sudo apt-get install -y ${packages.join(' ')}) and retry`,
    );
  }
  fs.mkdirSync(logsDir, { recursive: true });
  const logFile = path.join(logsDir, 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(
    `infra: ${why}: apt-get install ${packages.join(' ')} (log: ${logFile}) ...\n`,
  );
  if (!updated) {
    await run('apt-get', ['update', '-q'], { env, logFile });
    updated = true;
  }
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    env,
    logFile,
  });
}
