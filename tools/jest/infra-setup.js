// Jest globalSetup for integration tests: makes sure the local infrastructure (Kafka, the S3 store,
// PostgreSQL) is up, starting what is missing, so `nx run-many -t test` works on its own.
// It imports tools/infra's TypeScript source directly: Node 24 strips the types, no build needed.
export default async function infraSetup() {
  const { ensureInfra } = await import('../infra/src/index.ts');
  await ensureInfra({ log: (line) => process.stderr.write(`infra: ${line}\n`) });
}
