import { draftWithFile } from './draft.fixture.js';
import { DryRunService, renderText } from './dry-run.service.js';
import { SuppressionList } from './ports/suppression-list.port.js';

async function setup(csv: string | undefined, suppressions?: SuppressionList) {
  const { drafts, templates } = await draftWithFile(csv);
  return new DryRunService(
    drafts,
    templates,
    {
      maxRecordBytes: 64 * 1024,
      strictWhitespace: true,
      defaultMps: 80,
      samples: 2,
      maxProblems: 2,
    },
    suppressions,
  );
}

describe('DryRunService', () => {
  it('counts, lists invalid rows and duplicates with reasons, renders samples, estimates the time', async () => {
    const dryRun = await setup(
      'phone,name,order\n' +
        '+4915123456789,Ada,A-1\n' +
        '015123456780,Bob,A-2\n' + // national, default country DE
        'not a phone,Cy,A-3\n' +
        '+4915123456789,Ada again,A-4\n' + // duplicate of row 1
        '+4915123456781,,A-5\n', // empty parameter
    );
    const report = await dryRun.run('acme', 'b1', 1);
    expect(report).toMatchObject({
      outcome: 'ok',
      totalRows: 5,
      recipients: 2,
      skipped: 3,
      duplicates: 1,
      estimate: { messagesPerSecond: 1, seconds: 2 },
      invalidRowsTruncated: true,
    });
    expect(Object.values(report.skippedByReason).reduce((a, b) => a + b, 0)).toBe(3);
    expect(report.skippedByReason['duplicate-phone']).toBe(1);
    expect(report.invalidRows).toHaveLength(2);
    expect(report.invalidRows[0]).toMatchObject({ rowNumber: 3, reason: 'invalid-phone' });
    expect(report.samples).toEqual([
      { rowNumber: 1, to: '+4915123456789', text: 'Hi Ada, your order A-1 has shipped.' },
      { rowNumber: 2, to: '+4915123456780', text: 'Hi Bob, your order A-2 has shipped.' },
    ]);
  });

  it('counts opted-out recipients and never shows one among the sample messages', async () => {
    /** Only `check` is used by the dry run. */
    class Listed extends SuppressionList {
      readonly calls: number[] = [];
      constructor(private readonly phones: Set<string>) {
        super();
      }
      check(_tenant: string, phones: readonly string[]) {
        this.calls.push(phones.length);
        return Promise.resolve(
          new Map(phones.filter((p) => this.phones.has(p)).map((p) => [p, 'stop-reply'])),
        );
      }
      list(): never {
        throw new Error('unused');
      }
      exportCsv(): never {
        throw new Error('unused');
      }
      add(): never {
        throw new Error('unused');
      }
      remove(): never {
        throw new Error('unused');
      }
    }
    const list = new Listed(new Set(['+4915123456781']));
    const dryRun = await setup(
      'phone,name,order\n' +
        '+4915123456781,Ada,A-1\n' + // opted out
        '+4915123456782,Bob,A-2\n' +
        '+4915123456783,Cy,A-3\n',
      list,
    );
    const report = await dryRun.run('acme', 'b1');
    expect(report).toMatchObject({ recipients: 2, skipped: 1, suppressed: 1 });
    expect(report.skippedByReason['opted-out']).toBe(1);
    expect(report.suppressedRows).toEqual([
      expect.objectContaining({ rowNumber: 1, reason: 'opted-out', suppression: 'stop-reply' }),
    ]);
    expect(report.samples.map((sample) => sample.rowNumber)).toEqual([2, 3]);
    expect(list.calls).toEqual([3]); // one check for the whole (small) file, not one per row
  });

  it('reports a file that cannot be split as a whole', async () => {
    const report = await (await setup('telephone,name,order\n1,2,3\n')).run('acme', 'b1');
    expect(report).toMatchObject({ outcome: 'failed', failure: { reason: 'missing-column' } });
  });

  it('needs the file, and the tenant', async () => {
    await expect((await setup(undefined)).run('acme', 'b1')).rejects.toMatchObject({
      code: 'file-missing',
    });
    await expect((await setup('phone\n')).run('other', 'b1')).rejects.toMatchObject({
      code: 'broadcast-not-found',
    });
  });
});

describe('renderText', () => {
  it('fills positional and named placeholders', () => {
    expect(
      renderText('Hi {{1}} {{2}}', { body: [{ text: 'A' }, { text: 'B', position: 2 }] }),
    ).toBe('Hi A B');
    expect(renderText('Hi {{name}}', { body: [{ text: 'Ann', name: 'name' }] })).toBe('Hi Ann');
  });
});
