// Child processes of the stack: started with their own log file, stopped gracefully, and measured
// (peak RSS from /proc/<pid>/status VmHWM, which the kernel keeps for the whole process life).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Peak resident memory so far in MB (kernel high-water mark); undefined once exited. */
  peakRssMb(): number | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

export function startProcess(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): ManagedProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let peak: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      log.end();
      resolve({ code, signal });
    }),
  );
  const read = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match?.[1]) peak = Math.max(peak ?? 0, Number(match[1]) / 1024);
    } catch {
      // exited
    }
    return peak;
  };
  return {
    name,
    child,
    logFile,
    exited,
    peakRssMb: read,
    async stop(timeoutMs = 20_000) {
      read();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
