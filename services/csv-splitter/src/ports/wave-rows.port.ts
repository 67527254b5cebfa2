/**
 * The rows selected for a resend wave (stored by status-tracker), ascending, page by page. Abstract
 * class = type and DI token.
 */
export abstract class WaveRows {
  /** Row numbers after `afterRowNumber`, ascending, at most `limit`; [] at the end. */
  abstract page(
    tenantId: string,
    waveId: string,
    afterRowNumber: number,
    limit: number,
  ): Promise<number[]>;
}

/** The wave's selection cannot be read (tracker down, unknown wave): the split is retried later. */
export class WaveRowsUnavailableError extends Error {
  override readonly name = 'WaveRowsUnavailableError';
}

const PAGE = 10_000;

/**
 * A merge join of the wave's selection with the CSV's rows: both ascend by row number, so one page of
 * the selection is held at a time (bounded memory whatever the size of the wave).
 */
export class WaveSelection {
  private page: number[] = [];
  private index = 0;
  private last = 0;
  private done = false;

  constructor(
    private readonly source: WaveRows,
    private readonly tenantId: string,
    private readonly waveId: string,
  ) {}

  /** Whether `rowNumber` is selected; call with ascending row numbers. */
  async has(rowNumber: number): Promise<boolean> {
    for (;;) {
      while (this.index < this.page.length && this.page[this.index]! < rowNumber) this.index++;
      if (this.index < this.page.length) return this.page[this.index] === rowNumber;
      if (this.done) return false;
      this.page = await this.source.page(this.tenantId, this.waveId, this.last, PAGE);
      this.index = 0;
      if (this.page.length < PAGE) this.done = true;
      if (this.page.length > 0) this.last = this.page[this.page.length - 1]!;
    }
  }
}
