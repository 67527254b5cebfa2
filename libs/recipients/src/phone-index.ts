/**
 * De-duplication index of one broadcast: E.164 numbers (as their numeric value, at most 15 digits,
 * exact in a float64) → the first row that had them. Open addressing over typed arrays: 12 bytes a
 * slot at ≤ 50 % load, so a million recipients take about 24-48 MB and no per-entry objects
 * (a Map<string, number> would be several times that and stress the GC).
 */
export class PhoneIndex {
  private keys: Float64Array;
  private rows: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.rows = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Records `numeric` at `row` unless present; returns the first row that had it, or undefined when new. */
  addOrGet(numeric: number, row: number): number | undefined {
    if (!(numeric > 0) || !Number.isSafeInteger(numeric))
      throw new RangeError(`not an E.164 value: ${numeric}`);
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const slot = this.find(this.keys, numeric);
    if (this.keys[slot] === numeric) return this.rows[slot];
    this.keys[slot] = numeric;
    this.rows[slot] = row;
    this.count++;
    return undefined;
  }

  private find(keys: Float64Array, numeric: number): number {
    const mask = keys.length - 1;
    // Mix high and low bits: phone numbers share long prefixes.
    let h = Math.imul((numeric % 0x7fffffff) ^ Math.floor(numeric / 0x7fffffff), 0x9e3779b1) >>> 0;
    for (;;) {
      const slot = h & mask;
      const key = keys[slot];
      if (key === 0 || key === numeric) return slot;
      h = (h + 1) >>> 0;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldRows = this.rows;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.rows = new Uint32Array(oldKeys.length * 2);
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i] ?? 0;
      if (key === 0) continue;
      const slot = this.find(this.keys, key);
      this.keys[slot] = key;
      this.rows[slot] = oldRows[i] ?? 0;
    }
  }
}
