// Jest globalSetup for integration tests: makes sure the local infrastructure (Kafka, the S3 store,
// PostgreSQL) is up, starting what is missing, so `nx run-many -t test` works on its own. It exports
// the connection settings (KAFKA_BROKERS, S3_*, DATABASE_URL) to the environment, which the test
// workers inherit, so tests follow INFRA_* port overrides.
// It imports tools/infra's TypeScript source directly: Node 24 strips the types, no build needed.
export default async function infraSetup() {
  const { ensureInfra, infraEnv } = await import('../infra/src/index.ts');
  const info = await ensureInfra({ log: (line) => process.stderr.write(`infra: ${line}\n`) });
  for (const [key, value] of Object.entries(infraEnv(info))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}
