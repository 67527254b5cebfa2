// Process plumbing: detached spawns with log files, pid files, liveness, RSS, graceful stop, and a
// cross-process lock. Linux only (reads /proc).
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export class InfraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraError';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true or `deadline` passes; `alive` aborts early (e.g. the process died). */
export async function pollUntil(
  probe: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 200,
    abort,
  }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    const why = abort?.();
    if (why) throw new InfraError(why);
    if (Date.now() > deadline) {
      throw new InfraError(
        `not ready after ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers kill(0).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return statState(stat) !== 'Z';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function statState(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Resident memory of one process in bytes, or undefined. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** pid and all its descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // raced with an exiting process
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]?.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid in `file` if that process is alive and its command line contains `marker`. */
export function livePid(file: string, marker: string): number | undefined {
  const pid = readPid(file);
  if (pid === undefined || !isAlive(pid)) return undefined;
  return cmdline(pid).includes(marker) ? pid : undefined;
}

/**
 * Starts a long-running process in its own session (it outlives the caller, e.g. a Jest
 * globalSetup), stdout+stderr appended to `logFile`, and writes its pid to `pidFile`.
 */
export function spawnDetached(
  command: string,
  args: string[],
  {
    logFile,
    pidFile,
    cwd,
    env,
  }: { logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
): number {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  // Keep one previous log when it grows large (logs are appended across restarts).
  if ((fs.statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) > 50 * 1024 * 1024) {
    fs.renameSync(logFile, `${logFile}.1`);
  }
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} starting: ${command} ${args.join(' ')}\n`);
  const options: SpawnOptions = {
    detached: true,
    stdio: ['ignore', fd, fd],
    cwd,
    env: env ?? process.env,
  };
  const child = spawn(command, args, options);
  fs.closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new InfraError(`could not spawn ${command} (see ${logFile})`);
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  return child.pid;
}

/** Runs a command to completion; resolves with its output, rejects with the output on failure. */
export function run(
  command: string,
  args: string[],
  {
    cwd,
    env,
    logFile,
    timeoutMs,
  }: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (logFile) fs.appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const timer = timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, timeoutMs)
      : undefined;
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new InfraError(`could not run ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolve(output);
      else {
        const tail = output.trim().split('\n').slice(-15).join('\n');
        reject(
          new InfraError(
            `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${logFile ? `; log: ${logFile}` : ''}\n${tail}`,
          ),
        );
      }
    });
  });
}

export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Sends SIGTERM to the process group (or process), then SIGKILL after `graceMs`. */
export async function stopProcess(
  pid: number,
  graceMs: number,
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // its own session/group (spawnDetached)
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

/**
 * An exclusive lock between processes (several Jest globalSetups may call ensureInfra at once).
 * The lock file holds the owner's pid; a lock whose owner died is taken over.
 */
export async function withLock<T>(
  lockFile: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  await fsp.mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const handle = await fsp.open(lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readPid(lockFile);
      if (owner === undefined || !isAlive(owner)) {
        // Stale (owner died) or being written right now: remove only if still stale after a beat.
        await sleep(50);
        const again = readPid(lockFile);
        if (again === owner && (again === undefined || !isAlive(again))) {
          await fsp.rm(lockFile, { force: true });
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw new InfraError(
          `timed out after ${timeoutMs / 1000} s waiting for the infra lock ${lockFile} (held by pid ${owner})`,
        );
      }
      if (!announced) {
        announced = true;
        const who = owner === process.pid ? 'another call in this process' : `pid ${owner}`;
        process.stderr.write(`infra: waiting for the infra lock (held by ${who}) ...\n`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lockFile, { force: true });
  }
}
