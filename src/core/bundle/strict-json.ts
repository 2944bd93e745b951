/**
 * A strict JSON parser for hostile input. JSON.parse keeps the last of duplicate keys, accepts
 * `__proto__` and any depth; this parser refuses all three, and says where (entry and offset).
 */
import { BundleError, type ErrorCode } from '../errors.js';

/** Keys that could reach an object's prototype when a document is merged naively. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseStrictJson(bytes: Uint8Array, subject: string, maxDepth: number): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new BundleError('E_JSON_SYNTAX', `${subject} is not valid UTF-8`);
  }
  return new Parser(text, subject, maxDepth).document();
}

class Parser {
  private at = 0;

  constructor(private readonly text: string, private readonly subject: string, private readonly maxDepth: number) {}

  document(): unknown {
    this.space();
    const value = this.value(1);
    this.space();
    if (this.at !== this.text.length) this.fail('E_JSON_SYNTAX', 'unexpected text after the JSON value');
    return value;
  }

  private value(depth: number): unknown {
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    this.at++;
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('E_JSON_SYNTAX', 'expected a string key');
      const keyAt = this.at;
      const key = this.string();
      if (FORBIDDEN_KEYS.has(key)) this.fail('E_JSON_FORBIDDEN_KEY', `forbidden key "${key}"`, keyAt);
      if (seen.has(key)) this.fail('E_JSON_DUPLICATE_KEY', `duplicate key "${key}"`, keyAt);
      seen.add(key);
      this.space();
      this.expect(':');
      this.space();
      result[key] = this.value(depth + 1);
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    this.at++;
    const result: unknown[] = [];
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      result.push(this.value(depth + 1));
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private string(): string {
    const start = ++this.at;
    let out = '';
    let run = start;
    for (;;) {
      const code = this.text.charCodeAt(this.at);
      if (Number.isNaN(code)) this.fail('E_JSON_SYNTAX', 'unterminated string', start - 1);
      if (code === 0x22) break;
      if (code < 0x20) this.fail('E_JSON_SYNTAX', 'control character in string');
      if (code === 0x5c) {
        out += this.text.slice(run, this.at);
        out += this.escape();
        run = this.at;
        continue;
      }
      this.at++;
    }
    out += this.text.slice(run, this.at);
    this.at++;
    return out;
  }

  private escape(): string {
    const c = this.text[this.at + 1];
    this.at += 2;
    switch (c) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('E_JSON_SYNTAX', 'bad \\u escape');
        this.at += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return this.fail('E_JSON_SYNTAX', 'bad escape', this.at - 2);
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('E_JSON_SYNTAX', 'unexpected character');
    this.at += match![0].length;
    const value = Number(match![0]);
    if (!Number.isFinite(value)) this.fail('E_JSON_SYNTAX', 'number out of range');
    return value;
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.at)) {
      this.at += word.length;
      return value;
    }
    return this.fail('E_JSON_SYNTAX', 'unexpected character');
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail('E_JSON_DEPTH', `nesting deeper than ${this.maxDepth} levels`);
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) this.fail('E_JSON_SYNTAX', `expected "${c}"`);
    this.at++;
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  private fail(code: ErrorCode, what: string, at = this.at): never {
    const received = at < this.text.length ? JSON.stringify(this.text.slice(at, at + 12)) : 'end of input';
    throw new BundleError(code, `${this.subject}: ${what} at character ${at}, received ${received}`);
  }
}
