import { readdir, readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { exampleEvent, schemaName } from '../src/asyncapi.js';
import { renderArtefacts, SCHEMAS_DIR } from '../src/artefacts.js';
import { EVENT_DEFINITIONS } from '../src/catalogue.js';

const packageRoot = new URL('../', import.meta.url);
// ajv-formats is CommonJS with a default export: under Node's ESM interop the function is `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

describe('generated artefacts', () => {
  it('are up to date (run `npm run generate` in libs/contracts when this fails)', async () => {
    const expected = await renderArtefacts();
    for (const [path, content] of expected) {
      const committed = await readFile(new URL(path, packageRoot), 'utf8').catch(() => '<missing>');
      expect({ path, content: committed }).toEqual({ path, content });
    }
    const schemaFiles = (await readdir(new URL(`${SCHEMAS_DIR}/`, packageRoot))).map(
      (file) => `${SCHEMAS_DIR}/${file}`,
    );
    expect(schemaFiles.sort()).toEqual(
      [...expected.keys()].filter((path) => path.startsWith(SCHEMAS_DIR)).sort(),
    );
  });

  it('JSON Schema files work with a standard validator (ajv) as upstream teams use them', async () => {
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    for (const definition of EVENT_DEFINITIONS) {
      const text = await readFile(
        new URL(`${SCHEMAS_DIR}/${schemaName(definition)}.json`, packageRoot),
        'utf8',
      );
      const validate = ajv.compile(JSON.parse(text) as object);
      const example = exampleEvent(definition);
      expect({
        type: definition.type,
        valid: validate(example),
        errors: validate.errors ?? null,
      }).toEqual({
        type: definition.type,
        valid: true,
        errors: null,
      });
      const broken = { ...example, version: 99, occurredAt: 'not a date' };
      expect(validate(broken)).toBe(false);
    }
  });
});
