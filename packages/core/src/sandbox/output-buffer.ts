/** The line that replaces the middle of an output that was too long. */
export function omittedMarker(bytes: number): string {
  return `\n… ${bytes} bytes omitted …\n`;
}

/**
 * Keeps the first and the last `maxBytes / 2` bytes of a stream of text, with the exact number
 * of bytes dropped in between: the start of a command's output says what it was doing, the end
 * says how it finished. Text is stored as UTF-8 and cut on character boundaries only.
 */
export class OutputBuffer {
  private readonly headCapacity: number;
  private readonly tailCapacity: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  /** The most recent bytes after the head; whole chunks, trimmed from the front on render. */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(readonly maxBytes: number) {
    this.headCapacity = Math.floor(maxBytes / 2);
    this.tailCapacity = maxBytes - this.headCapacity;
  }

  /** Bytes pushed so far, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  push(text: string): void {
    let bytes = Buffer.from(text, "utf8");
    this.total += bytes.length;
    const headRoom = this.headCapacity - this.headBytes;
    if (headRoom > 0) {
      const toHead = bytes.subarray(0, headRoom);
      this.head.push(toHead);
      this.headBytes += toHead.length;
      bytes = bytes.subarray(toHead.length);
    }
    if (bytes.length === 0) return;
    this.tail.push(bytes);
    this.tailBytes += bytes.length;
    // Drop whole chunks that are entirely older than the last tailCapacity bytes.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailCapacity) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /**
   * The text, or its first and last `limit / 2` bytes around an omission marker when it is
   * longer than `limit`. A `limit` below `maxBytes` gives a smaller view of the same stream
   * (e.g. the model's budget) with an exact count, which truncating the rendered text again
   * could not.
   */
  render(limit: number = this.maxBytes): string {
    const budget = Math.min(limit, this.maxBytes);
    if (this.total <= budget) return Buffer.concat([...this.head, ...this.tail]).toString("utf8");
    const headSize = Math.floor(budget / 2);
    const tailSize = budget - headSize;
    let first: Buffer;
    let last: Buffer;
    if (this.total <= this.maxBytes) {
      // Nothing was dropped yet, so head and tail are contiguous: cut the whole stream.
      const all = Buffer.concat([...this.head, ...this.tail]);
      first = all.subarray(0, headSize);
      last = all.subarray(all.length - tailSize);
    } else {
      first = Buffer.concat(this.head).subarray(0, headSize);
      const tail = Buffer.concat(this.tail);
      last = tail.subarray(tail.length - tailSize);
    }
    first = withoutPartialEnd(first);
    last = withoutPartialStart(last);
    const omitted = this.total - first.length - last.length;
    return first.toString("utf8") + omittedMarker(omitted) + last.toString("utf8");
  }
}

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/** Drops an incomplete UTF-8 sequence at the end, so it is not decoded as U+FFFD. */
function withoutPartialEnd(bytes: Buffer): Buffer {
  let start = bytes.length - 1;
  while (start >= 0 && bytes.length - start < 4 && isContinuation(bytes[start]!)) start--;
  if (start < 0) return bytes.subarray(0, 0);
  const lead = bytes[start]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - start >= length ? bytes : bytes.subarray(0, start);
}

/** Drops the continuation bytes of a character whose start was cut off. */
function withoutPartialStart(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && start < 3 && isContinuation(bytes[start]!)) start++;
  return bytes.subarray(start);
}
