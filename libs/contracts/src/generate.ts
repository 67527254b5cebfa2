import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtefacts, SCHEMAS_DIR } from './artefacts.js';

/**
 * Writes asyncapi.yaml and schemas/*.json (run from dist: `npm run generate`). Schema files of
 * events that no longer exist are removed, so the directory always mirrors the catalogue.
 */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = await renderArtefacts();

await mkdir(join(packageRoot, SCHEMAS_DIR), { recursive: true });
for (const existing of await readdir(join(packageRoot, SCHEMAS_DIR))) {
  if (!files.has(`${SCHEMAS_DIR}/${existing}`)) await rm(join(packageRoot, SCHEMAS_DIR, existing));
}
for (const [path, content] of files) {
  await writeFile(join(packageRoot, path), content);
}
console.log(`wrote ${files.size} files under ${packageRoot}`);
