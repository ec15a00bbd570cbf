// The (key ID, fingerprint) pairs a bulk key load has seen, in typed arrays: no string of theirs kept alive.

/**
 * A set of (key ID, password fingerprint) pairs, exact as strings. A canonical pair (a lower-case GUID and 32
 * lower-case hex digits, as the import writes them) is kept as eight 32-bit words in an open-addressing table:
 * a Map of the strings kept every key's two strings alive for the whole file, so the young-generation collector
 * copied and promoted each of them (85,531 keys: about 0.1 s CPU over both threads, most of it the collector's).
 * Any other pair (an older row spelled otherwise) is kept as its strings, so equality stays that of the strings.
 */
export class KeyPairSet {
  private words = new Int32Array(8 * 1024);
  private used = new Uint8Array(1024);
  private count = 0;
  private readonly other = new Set<string>();
  private readonly w = new Int32Array(8);

  /** Adds the pair; false when it was already in the set. */
  add(keyId: string, fingerprint: string): boolean {
    if (!this.parse(keyId, fingerprint)) {
      const k = `${keyId.length}:${keyId}${fingerprint}`;
      if (this.other.has(k)) return false;
      this.other.add(k);
      return true;
    }
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    if (!this.insert(this.w)) return false;
    this.count++;
    return true;
  }

  /** Inserts the eight words `w` unless present; false when present. */
  private insert(w: Int32Array): boolean {
    const mask = this.used.length - 1;
    const words = this.words;
    // The words of a random GUID and an HMAC are already well mixed; a multiply spreads them over the table.
    let at = Math.imul(w[0]! ^ w[5]!, 0x9e3779b1) >>> 0;
    for (;;) {
      at &= mask;
      if (this.used[at] === 0) {
        this.used[at] = 1;
        words.set(w, at * 8);
        return true;
      }
      const b = at * 8;
      if (
        words[b] === w[0] &&
        words[b + 1] === w[1] &&
        words[b + 2] === w[2] &&
        words[b + 3] === w[3] &&
        words[b + 4] === w[4] &&
        words[b + 5] === w[5] &&
        words[b + 6] === w[6] &&
        words[b + 7] === w[7]
      )
        return false;
      at++;
    }
  }

  private grow(): void {
    const oldWords = this.words;
    const oldUsed = this.used;
    this.used = new Uint8Array(oldUsed.length * 2);
    this.words = new Int32Array(oldWords.length * 2);
    for (let i = 0; i < oldUsed.length; i++) if (oldUsed[i] === 1) this.insert(oldWords.subarray(i * 8, i * 8 + 8));
  }

  /**
   * The pair as eight words in `w`: the GUID's 32 hex digits, then the fingerprint's; false when either is not in
   * the canonical spelling (then no two different strings can give the same words).
   */
  private parse(keyId: string, fingerprint: string): boolean {
    if (keyId.length !== 36 || fingerprint.length !== 32) return false;
    const w = this.w;
    let word = 0;
    let digits = 0;
    let k = 0;
    for (let i = 0; i < 36; i++) {
      const c = keyId.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== 45) return false;
        continue;
      }
      const d = hexDigit(c);
      if (d < 0) return false;
      word = (word << 4) | d;
      if (++digits === 8) {
        w[k++] = word;
        word = 0;
        digits = 0;
      }
    }
    for (let i = 0; i < 32; i++) {
      const d = hexDigit(fingerprint.charCodeAt(i));
      if (d < 0) return false;
      word = (word << 4) | d;
      if ((i & 7) === 7) {
        w[k++] = word;
        word = 0;
      }
    }
    return true;
  }
}

/** A lower-case hex digit's value, or -1 (upper case is another spelling, kept as a string). */
function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}
