// PostgreSQL from Debian's packages, in a project-local data directory on a loopback port.
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user (runuser).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { aptInstall, isRoot } from './apt.ts';
import { infraDir, localInfra, ports } from './config.ts';
import { InfraError, livePid, pollUntil, run, stopProcess, tail, which } from './proc.ts';

/** .infra/postgres (a symlink to a directory the postgres user can reach, when .infra is not). */
const linkHome = path.join(infraDir, 'postgres');

function home(): string {
  try {
    return fs.realpathSync(linkHome);
  } catch {
    return linkHome;
  }
}
const dataDir = (): string => path.join(home(), 'data');
export const pgLog = (): string => path.join(linkHome, 'postgres.log');

interface PgBin {
  dir: string;
  major: number;
}

function findBin(): PgBin | undefined {
  const base = '/usr/lib/postgresql';
  try {
    const versions = fs
      .readdirSync(base)
      .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
      .map(Number)
      .sort((a, b) => b - a);
    if (versions[0] !== undefined)
      return { dir: path.join(base, String(versions[0]), 'bin'), major: versions[0] };
  } catch {
    // not Debian's layout
  }
  const pgCtl = which('pg_ctl');
  return pgCtl ? { dir: path.dirname(fs.realpathSync(pgCtl)), major: 0 } : undefined;
}

async function ensureBin(): Promise<PgBin> {
  let bin = findBin();
  if (!bin) {
    await aptInstall(['postgresql'], 'PostgreSQL server binaries are missing');
    bin = findBin();
    if (!bin)
      throw new InfraError('PostgreSQL: no pg_ctl found even after apt-get install postgresql');
  }
  return bin;
}

/** Runs a PostgreSQL program, as the postgres OS user when we are root. */
function pgRun(bin: PgBin, program: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const exe = path.join(bin.dir, program);
  if (isRoot())
    return run('runuser', ['-u', 'postgres', '--', exe, ...args], { timeoutMs, cwd: '/' });
  return run(exe, args, { timeoutMs });
}

function postgresUser(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const parts = line?.split(':');
  if (!parts || parts.length < 4) {
    throw new InfraError(
      'PostgreSQL: running as root but there is no `postgres` OS user (apt-get install postgresql creates it)',
    );
  }
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

/**
 * Makes the server's home directory, owned by whoever runs the server. As root, the postgres user
 * must be able to traverse every parent directory; if it cannot (e.g. the clone lives under /root),
 * the directory goes under /var/lib/postgresql and .infra/postgres becomes a symlink to it.
 */
async function prepareHome(): Promise<void> {
  if (fs.existsSync(home()) && fs.existsSync(path.join(home(), 'data'))) return;
  fs.mkdirSync(infraDir, { recursive: true });
  const link = fs.lstatSync(linkHome, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) {
    // Set up by an earlier run (see below); its target may be gone (e.g. a new machine).
    const target = fs.readlinkSync(linkHome);
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    if (isRoot()) {
      const { uid, gid } = postgresUser();
      fs.chownSync(target, uid, gid);
    }
    return;
  }
  if (!isRoot()) {
    fs.mkdirSync(linkHome, { recursive: true, mode: 0o700 });
    return;
  }
  const { uid, gid } = postgresUser();
  const reachable = await run('runuser', ['-u', 'postgres', '--', 'test', '-x', infraDir], {
    cwd: '/',
  }).then(
    () => true,
    () => false,
  );
  let target = linkHome;
  if (!reachable) {
    const id = crypto.createHash('sha1').update(infraDir).digest('hex').slice(0, 10);
    target = path.join('/var/lib/postgresql', `wab-infra-${id}`);
    process.stderr.write(
      `infra: the postgres user cannot reach ${infraDir}; PostgreSQL data goes to ${target} (linked from ${linkHome})\n`,
    );
    fs.rmSync(linkHome, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    fs.symlinkSync(target, linkHome);
  } else {
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  }
  fs.chownSync(target, uid, gid);
  fs.chmodSync(target, 0o700);
}

async function initCluster(bin: PgBin): Promise<void> {
  const data = dataDir();
  if (fs.existsSync(path.join(data, 'PG_VERSION'))) {
    const version = fs.readFileSync(path.join(data, 'PG_VERSION'), 'utf8').trim();
    if (bin.major !== 0 && Number(version) !== bin.major) {
      throw new InfraError(
        `PostgreSQL: ${data} was made by PostgreSQL ${version} but the server here is ${bin.major}; remove ${linkHome} (local data is lost) and run infra:up again`,
      );
    }
    return;
  }
  const pwfile = path.join(home(), 'initdb.pw');
  fs.writeFileSync(pwfile, `${localInfra.postgres.password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = postgresUser();
    fs.chownSync(pwfile, uid, gid);
  }
  try {
    await pgRun(bin, 'initdb', [
      '-D',
      data,
      '-U',
      localInfra.postgres.user,
      `--pwfile=${pwfile}`,
      '-A',
      'scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
  } catch (error) {
    fs.rmSync(data, { recursive: true, force: true });
    throw new InfraError(`PostgreSQL: initdb failed: ${(error as Error).message}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      '',
      '# tools/infra: local development server',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${home()}'`,
      'max_connections = 200',
      "log_line_prefix = '%m [%p] '",
      '',
    ].join('\n'),
  );
}

export function pgPid(): number | undefined {
  return livePid(path.join(dataDir(), 'postmaster.pid'), 'postgres');
}

async function query<T>(
  database: string,
  fn: (client: pg.Client) => Promise<T>,
  timeoutMs = 2000,
): Promise<T> {
  const { host, port, user, password } = localInfra.postgres;
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database,
    connectionTimeoutMillis: timeoutMs,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the `wab` database answers SELECT 1. */
export async function pgHealthy(timeoutMs = 2000): Promise<boolean> {
  try {
    return await query(
      localInfra.postgres.database,
      async (c) => (await c.query('SELECT 1 AS ok')).rows.length === 1,
      timeoutMs,
    );
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function ensureDatabase(): Promise<void> {
  const name = localInfra.postgres.database;
  await query('postgres', async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } catch (error) {
        if ((error as { code?: string }).code !== '42P04') throw error; // raced: duplicate_database
      }
    }
  });
}

export async function startPostgres(): Promise<'running' | 'started'> {
  if (pgPid() !== undefined && (await pgHealthy())) return 'running';
  if (pgPid() === undefined && (await portOpen(ports.postgres))) {
    throw new InfraError(
      `PostgreSQL: something else already listens on 127.0.0.1:${ports.postgres} (not started by tools/infra): stop it or set INFRA_PG_PORT`,
    );
  }
  const bin = await ensureBin();
  await prepareHome();
  await initCluster(bin);
  const log = path.join(home(), 'postgres.log');
  if (pgPid() === undefined) {
    try {
      // pg_ctl puts the server in its own session (setsid), so it outlives this process.
      await pgRun(
        bin,
        'pg_ctl',
        ['start', '-D', dataDir(), '-l', log, '-w', '-t', '60', '-o', `-p ${ports.postgres}`],
        90_000,
      );
    } catch (error) {
      throw new InfraError(
        `PostgreSQL could not start: ${(error as Error).message}\nLog: ${pgLog()}\n--- last lines ---\n${tail(log)}`,
      );
    }
  }
  try {
    await pollUntil(
      async () => {
        await ensureDatabase();
        return pgHealthy();
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        abort: () => (pgPid() === undefined ? 'the server exited' : undefined),
      },
    );
  } catch (error) {
    throw new InfraError(
      `PostgreSQL is not answering on 127.0.0.1:${ports.postgres}: ${(error as Error).message}. Log: ${pgLog()}\n--- last lines ---\n${tail(log)}`,
    );
  }
  return 'started';
}

export async function stopPostgres(): Promise<string> {
  const pid = pgPid();
  if (pid === undefined) return 'not running';
  const bin = findBin();
  if (bin) {
    try {
      await pgRun(bin, 'pg_ctl', ['stop', '-D', dataDir(), '-m', 'fast', '-w', '-t', '30'], 40_000);
      return 'stopped';
    } catch {
      // fall through to signals
    }
  }
  return stopProcess(pid, 10_000);
}
