import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const packageRoot = new URL('../', import.meta.url);

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document according to @asyncapi/parser', async () => {
    const text = await readFile(new URL('asyncapi.yaml', packageRoot), 'utf8');
    const { document, diagnostics } = await new Parser().parse(text);
    const problems = diagnostics
      .filter((diagnostic) => Number(diagnostic.severity) <= Number(DiagnosticSeverity.Warning))
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document?.version()).toBe('3.0.0');
    const channels =
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()) ?? [];
    expect(channels).toEqual(
      expect.arrayContaining(['uploaded', 'rows', 'send-requests', 'send-results', 'dead-letter']),
    );
    const uploaded = document?.channels().get('uploaded');
    expect(
      uploaded
        ?.messages()
        .all()
        .map((message) => message.name()),
    ).toEqual(expect.arrayContaining(['broadcast.uploaded', 'broadcast.requested']));
  }, 60_000);
});

describe('the AsyncAPI check itself', () => {
  it('reports a broken document (so a passing check means something)', async () => {
    const text = await readFile(new URL('asyncapi.yaml', packageRoot), 'utf8');
    const broken = text.replace(
      /#\/components\/messages\/broadcastUploadedV1\b/,
      '#/components/messages/nope',
    );
    expect(broken).not.toBe(text);
    const { diagnostics } = await new Parser().parse(broken);
    expect(
      diagnostics.filter(
        (diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error),
      ),
    ).not.toEqual([]);
  }, 60_000);
});
