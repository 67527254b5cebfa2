// npm run chaos [-- --recipients N --json FILE --seed S --mps M]: the chaos suite (src/chaos.ts).
// Exit code 1 when a check fails.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos } from './chaos.ts';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    json: { type: 'string' },
    seed: { type: 'string' },
    mps: { type: 'string', default: '400' },
  },
});

try {
  const report = await runChaos({
    recipients: Number(args.recipients),
    mps: Number(args.mps),
    ...(args.seed ? { seed: Number(args.seed) } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
