// A compact set of E.164 numbers, for de-duplicating recipient lists of millions: "+" and at most
// 15 digits with no leading zero is an integer below 10^15 < 2^53, so each number is stored exactly
// as one float64 in an open-addressing table (linear probing, kept at most half full): 16 to 32
// bytes per number, against about 100 for a Set of strings. Anything else (never produced by
// normalisePhone, but the set must stay correct) goes into a small Set of strings.

const E164 = /^\+[1-9]\d{0,14}$/;
const MIN_CAPACITY = 1024;

/** A set of E.164 numbers with a small fixed cost per number (see the module comment). */
export class NumberSet {
  private table = new Float64Array(MIN_CAPACITY);
  private count = 0;
  private readonly others = new Set<string>();

  /** Numbers in the set. */
  get size(): number {
    return this.count + this.others.size;
  }

  /** Bytes the table holds (for the benchmark's per-recipient figure). */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** True when `e164` is in the set. */
  has(e164: string): boolean {
    if (!E164.test(e164)) return this.others.has(e164);
    const key = Number(e164.slice(1));
    return this.table[this.find(this.table, key)] === key;
  }

  /** Adds `e164`; false when it was already there (a duplicate). */
  add(e164: string): boolean {
    if (!E164.test(e164)) {
      if (this.others.has(e164)) return false;
      this.others.add(e164);
      return true;
    }
    const key = Number(e164.slice(1));
    const slot = this.find(this.table, key);
    if (this.table[slot] === key) return false;
    this.table[slot] = key;
    this.count++;
    if (this.count * 2 > this.table.length) this.grow();
    return true;
  }

  /** The slot holding `key`, or the empty slot (0: no E.164 number is 0) where it would go. */
  private find(table: Float64Array, key: number): number {
    const mask = table.length - 1;
    // Mix both 32-bit halves (numbers of one country share their high digits).
    const hi = Math.floor(key / 4294967296);
    let h = Math.imul((key >>> 0) ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = table[i]!;
      if (v === key || v === 0) return i;
    }
  }

  private grow(): void {
    const old = this.table;
    const table = new Float64Array(old.length * 2);
    for (const v of old) if (v !== 0) table[this.find(table, v)] = v;
    this.table = table;
  }
}
