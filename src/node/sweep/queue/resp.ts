/**
 * The Redis wire protocol (RESP2): commands encoded as arrays of bulk strings, replies decoded
 * incrementally from a socket's chunks. Replies take the shapes BullMQ's raw-client adapter
 * expects: status and bulk strings as strings, integers as numbers, nil as null, arrays as
 * arrays, and an error reply as an Error (thrown for a top-level reply, kept inside an EXEC
 * array so the transaction's other results survive).
 */

export type Reply = string | number | null | Error | Reply[];

/** One command as the bytes Redis reads. */
export function encodeCommand(command: string, args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** An error reply from the server (e.g. "NOSCRIPT ..."), as Redis worded it. */
export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

/** Feeds on socket chunks and hands out every complete reply, in order. */
export class ReplyParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends a chunk and returns the replies completed by it. */
  push(chunk: Buffer): Reply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: Reply[] = [];
    for (;;) {
      const parsed = this.parse(0);
      if (!parsed) break;
      replies.push(parsed.value);
      this.buffer = this.buffer.subarray(parsed.end);
    }
    return replies;
  }

  /** The reply starting at `at`, or null when its bytes have not all arrived. */
  private parse(at: number): { value: Reply; end: number } | null {
    const lineEnd = this.buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const type = String.fromCharCode(this.buffer[at]!);
    const line = this.buffer.toString('utf8', at + 1, lineEnd);
    const next = lineEnd + 2;
    switch (type) {
      case '+':
        return { value: line, end: next };
      case '-':
        return { value: new RedisReplyError(line), end: next };
      case ':':
        return { value: Number(line), end: next };
      case '$': {
        const length = Number(line);
        if (length < 0) return { value: null, end: next };
        if (this.buffer.length < next + length + 2) return null;
        return { value: this.buffer.toString('utf8', next, next + length), end: next + length + 2 };
      }
      case '*': {
        const count = Number(line);
        if (count < 0) return { value: null, end: next };
        const items: Reply[] = [];
        let end = next;
        for (let i = 0; i < count; i++) {
          const item = this.parse(end);
          if (!item) return null;
          items.push(item.value);
          end = item.end;
        }
        return { value: items, end };
      }
      default:
        throw new Error(`unexpected byte ${JSON.stringify(type)} in a Redis reply`);
    }
  }
}
