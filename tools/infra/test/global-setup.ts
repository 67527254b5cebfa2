// Starts (or finds) the local stack once for the whole Jest run. Other projects can copy this:
//   import { ensureInfra } from '@wab/infra';  export default async () => { await ensureInfra(); };
import { ensureInfra } from '../src/index.ts';

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  await ensureInfra({ log: (line) => process.stderr.write(`  infra: ${line}\n`) });
  process.stderr.write(`  infra: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
