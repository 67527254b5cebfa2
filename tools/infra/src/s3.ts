// S3-compatible object store: versitygw (Apache-2.0) with its posix backend. It checks SigV4
// signatures (headers and pre-signed query strings) and supports multipart uploads.
import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { aptInstall } from './apt.ts';
import { VERSITYGW_VERSION, infraDir, localInfra, logsDir, ports, toolsDir } from './config.ts';
import {
  InfraError,
  livePid,
  pollUntil,
  run,
  spawnDetached,
  stopProcess,
  tail,
  which,
} from './proc.ts';

const home = path.join(infraDir, 's3');
const dataDir = path.join(home, 'data');
const sidecarDir = path.join(home, 'meta');
const pidFile = path.join(home, 'versitygw.pid');
export const s3Log = path.join(logsDir, 's3.log');
const goBin = path.join(toolsDir, 'go-bin');
const binary = path.join(goBin, 'versitygw');
const stamp = path.join(goBin, `versitygw.${VERSITYGW_VERSION}.stamp`);
const MARKER = 'versitygw';

export function s3Pid(): number | undefined {
  return livePid(pidFile, MARKER);
}

function client(timeoutMs: number): S3Client {
  const { endpoint, region, accessKeyId, secretAccessKey } = localInfra.s3;
  return new S3Client({
    endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey },
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
  });
}

/** True when the gateway answers a signed HeadBucket for the bucket (it exists and our keys work). */
export async function s3Healthy(timeoutMs = 2000): Promise<boolean> {
  const s3 = client(timeoutMs);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: localInfra.s3.bucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

async function listening(): Promise<boolean> {
  try {
    const res = await fetch(`${localInfra.s3.endpoint}/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true; // any HTTP answer (403 for an unsigned request) means it is up
  } catch {
    return false;
  }
}

function findGo(): string | undefined {
  return (
    which('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined)
  );
}

async function ensureBinary(): Promise<void> {
  if (fs.existsSync(stamp) && fs.existsSync(binary)) return;
  let go = findGo();
  if (!go) {
    await aptInstall(['golang-go'], 'versitygw is built from source with Go');
    go = findGo();
    if (!go) throw new InfraError('S3 (versitygw): no `go` on PATH after installing golang-go');
  }
  fs.mkdirSync(goBin, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  const logFile = path.join(logsDir, 's3-build.log');
  process.stderr.write(
    `infra: building versitygw ${VERSITYGW_VERSION} with go install into ${goBin} (log: ${logFile}; takes a few minutes the first time) ...\n`,
  );
  await run(go, ['install', `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}`], {
    // GOTOOLCHAIN=auto lets an older Go fetch the toolchain versitygw's go.mod asks for (a Go module).
    env: {
      ...process.env,
      GOBIN: goBin,
      GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
      CGO_ENABLED: '0',
    },
    logFile,
    timeoutMs: 20 * 60_000,
  }).catch((error: unknown) => {
    throw new InfraError(
      `S3 (versitygw): go install failed (log: ${logFile}): ${(error as Error).message}`,
    );
  });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

async function ensureBucket(): Promise<void> {
  const s3 = client(5000);
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: localInfra.s3.bucket }));
      return;
    } catch {
      // missing: create it below
    }
    try {
      await s3.send(new CreateBucketCommand({ Bucket: localInfra.s3.bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  } finally {
    s3.destroy();
  }
}

export async function startS3(): Promise<'running' | 'started'> {
  const existing = s3Pid();
  if (existing !== undefined) {
    if (await s3Healthy()) return 'running';
    if (await listening()) {
      await ensureBucket();
      return 'running';
    }
    await stopProcess(existing, 5000);
  } else if (await listening()) {
    throw new InfraError(
      `S3: something else already serves port ${ports.s3} (not started by tools/infra): stop it or set INFRA_S3_PORT`,
    );
  }

  await ensureBinary();
  fs.mkdirSync(dataDir, { recursive: true });
  const backendArgs = ['posix'];
  // Object metadata lives in extended attributes; on filesystems without user xattrs, use a sidecar dir.
  if (process.env.INFRA_S3_SIDECAR === '1') {
    fs.mkdirSync(sidecarDir, { recursive: true });
    backendArgs.push('--sidecar', sidecarDir);
  }
  backendArgs.push(dataDir);
  const { accessKeyId, secretAccessKey, region } = localInfra.s3;
  const pid = spawnDetached(
    binary,
    ['--port', `127.0.0.1:${ports.s3}`, '--region', region, '--quiet', ...backendArgs],
    {
      logFile: s3Log,
      pidFile,
      cwd: home,
      // Credentials through the environment, so they do not show in `ps`.
      env: {
        ...process.env,
        ROOT_ACCESS_KEY_ID: accessKeyId,
        ROOT_SECRET_ACCESS_KEY: secretAccessKey,
      },
    },
  );
  try {
    await pollUntil(() => listening(), {
      timeoutMs: 30_000,
      intervalMs: 100,
      abort: () => (s3Pid() === undefined ? 'versitygw exited' : undefined),
    });
    await ensureBucket();
  } catch (error) {
    throw new InfraError(
      `S3 (versitygw) could not start (pid ${pid}): ${(error as Error).message}. Log: ${s3Log}\n--- last lines ---\n${tail(s3Log)}`,
    );
  }
  return 'started';
}

export async function stopS3(): Promise<string> {
  const pid = s3Pid();
  if (pid === undefined) return 'not running';
  const how = await stopProcess(pid, 10_000);
  fs.rmSync(pidFile, { force: true });
  return how;
}
