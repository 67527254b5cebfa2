import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, livePid, rssBytes, withLock } from './proc.ts';

describe('withLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs concurrent holders one at a time and releases the lock', async () => {
    const lock = path.join(dir, 'a.lock');
    let inside = 0;
    let maxInside = 0;
    const holder = async (): Promise<void> => {
      inside += 1;
      maxInside = Math.max(maxInside, inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside -= 1;
    };
    await Promise.all([1, 2, 3].map(() => withLock(lock, 5000, holder)));
    expect(maxInside).toBe(1);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner is dead', async () => {
    const lock = path.join(dir, 'b.lock');
    let dead = 4_000_000;
    while (isAlive(dead)) dead += 1;
    fs.writeFileSync(lock, `${dead}\n`);
    await expect(withLock(lock, 2000, () => Promise.resolve('got it'))).resolves.toBe('got it');
  });

  it('times out naming the live holder', async () => {
    const lock = path.join(dir, 'c.lock');
    fs.writeFileSync(lock, `${process.ppid}\n`);
    await expect(withLock(lock, 300, () => Promise.resolve())).rejects.toThrow(
      new RegExp(`held by pid ${process.ppid}`),
    );
  });
});

describe('process probes', () => {
  it('reads liveness, command line marker and RSS of a process', () => {
    const pidFile = path.join(os.tmpdir(), `infra-pid-${process.pid}`);
    fs.writeFileSync(pidFile, `${process.pid}\n`);
    try {
      expect(livePid(pidFile, 'node')).toBe(process.pid);
      expect(livePid(pidFile, 'no-such-marker')).toBeUndefined();
      expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });
});
