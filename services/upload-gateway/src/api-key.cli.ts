/**
 * API keys for API_KEYS, which holds only hashes:
 *
 *   npm run api-key -w @wab/upload-gateway -- new acme      # prints a new key and its API_KEYS entry
 *   npm run api-key -w @wab/upload-gateway -- hash acme     # reads a key from stdin, prints its entry
 *
 * The key is shown once; store it in the client's secret store, put only the entry in API_KEYS.
 */
import { assertTenantId, generateApiKey, hashApiKey } from './domain/api-keys.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(argv: string[]): Promise<number> {
  const [command, tenantId] = argv;
  if ((command !== 'new' && command !== 'hash') || !tenantId) {
    process.stderr.write(
      'usage: api-key new <tenantId>        make a key and its API_KEYS entry\n' +
        '       api-key hash <tenantId> < key  print the API_KEYS entry of an existing key (read from stdin)\n',
    );
    return 64;
  }
  if (command === 'new') {
    const { key, entry } = generateApiKey(tenantId);
    process.stdout.write(
      `key (give it to the client, shown once): ${key}\nAPI_KEYS entry: ${entry}\n`,
    );
    return 0;
  }
  const key = await readStdin();
  if (!key) {
    process.stderr.write('no key on stdin\n');
    return 64;
  }
  assertTenantId(tenantId);
  process.stdout.write(`${tenantId}:${hashApiKey(key)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
