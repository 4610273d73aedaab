// Pulls typed, validated fields out of one JSON object and remembers the
// first problem, in the server's `field.path: message` form. Getters return
// a placeholder on failure; callers check `error` before using any result,
// so a placeholder never escapes.

import { JsonNumber, JsonObject, JsonValue, typeName, utf8Length } from "./json.js";
import { timestampMs } from "./time.js";

export const maxSeq = 9223372036854775807n;
export const maxBy = 1024;

const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Go duration syntax: number+unit groups (h, m, s, ms, us, ns), e.g. "1h2m3.5s". */
export function isGoDuration(text: string): boolean {
  return /^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ms|us|ns|h|m|s))+$/.test(text);
}

export class ObjectReader {
  error: string | null = null;

  constructor(private readonly fields: JsonObject, private readonly path: string) {}

  pathOf(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  fail(key: string, message: string): false {
    if (this.error === null) this.error = `${this.pathOf(key)}: ${message}`;
    return false;
  }

  /** True if `key` is absent or JSON null. */
  isNull(key: string): boolean {
    const v = this.fields.get(key);
    return v === undefined || v === null;
  }

  private find(key: string, expected: string): JsonValue | undefined {
    const v = this.fields.get(key);
    if (v === undefined) this.fail(key, `is required (${expected})`);
    return v;
  }

  string(key: string, maxBytes = 200): string {
    const v = this.find(key, "a non-empty string");
    if (v === undefined) return "";
    if (typeof v !== "string") return this.fail(key, `expected a string, got ${typeName(v)}`), "";
    if (v === "") return this.fail(key, "must not be empty"), "";
    if (utf8Length(v) > maxBytes) return this.fail(key, `longer than ${maxBytes} bytes`), "";
    return v;
  }

  /** Absent or null reads as "". */
  optionalString(key: string, maxBytes = 200): string {
    if (this.isNull(key)) return "";
    const v = this.fields.get(key) as JsonValue;
    if (typeof v !== "string") return this.fail(key, `expected a string, got ${typeName(v)}`), "";
    if (utf8Length(v) > maxBytes) return this.fail(key, `longer than ${maxBytes} bytes`), "";
    return v;
  }

  /** Absent or null reads as undefined. */
  optionalBool(key: string): boolean | undefined {
    if (this.isNull(key)) return undefined;
    const v = this.fields.get(key) as JsonValue;
    if (typeof v !== "boolean") return this.fail(key, `expected true or false, got ${typeName(v)}`), undefined;
    return v;
  }

  /** A canonical 8-4-4-4-12 UUID, returned in lower case. */
  uuid(key: string): string {
    const v = this.find(key, "a UUID");
    if (v === undefined) return "";
    if (typeof v !== "string") return this.fail(key, `expected a UUID string, got ${typeName(v)}`), "";
    if (!uuidPattern.test(v)) return this.fail(key, "expected a UUID like 8-4-4-4-12 hex digits"), "";
    return v.toLowerCase();
  }

  /**
   * A JSON integer from `min` to `max`. A number is an integer only as
   * written: 1.0 and 1e2 are refused, like on the server. In range but above
   * 2^53 - 1 is refused too: a JS number could not hold it exactly.
   */
  int(key: string, min: number, max: number | bigint): number {
    const range = `an integer from ${min} to ${max}`;
    const v = this.find(key, range);
    if (v === undefined) return 0;
    if (!(v instanceof JsonNumber) || !v.isInteger) return this.fail(key, `expected ${range}, got ${typeName(v)}`), 0;
    const n = BigInt(v.raw);
    if (n > maxSeq) return this.fail(key, `expected ${range}, got a larger integer`), 0;
    if (n < BigInt(min) || n > BigInt(max)) return this.fail(key, `expected ${range}, got ${n}`), 0;
    if (n > BigInt(Number.MAX_SAFE_INTEGER))
      return this.fail(key, `got ${n}, above ${Number.MAX_SAFE_INTEGER}, the largest integer this client holds exactly`), 0;
    return Number(n);
  }

  /** An RFC 3339 timestamp as docs/protocol.md §1 reads it; the text is kept. */
  time(key: string): string {
    const v = this.find(key, "an RFC 3339 timestamp");
    if (v === undefined) return "";
    if (typeof v !== "string") return this.fail(key, `expected an RFC 3339 timestamp string, got ${typeName(v)}`), "";
    if (timestampMs(v) === null) return this.fail(key, "expected an RFC 3339 timestamp like 2023-12-01T10:00:00Z"), "";
    return v;
  }

  duration(key: string): string {
    const v = this.string(key, 64);
    if (this.error === null && !isGoDuration(v)) return this.fail(key, "expected a duration like 1h2m3s"), "";
    return v;
  }

  object(key: string): JsonObject | null {
    const v = this.find(key, "an object");
    if (v === undefined) return null;
    if (!(v instanceof Map)) return this.fail(key, `expected an object, got ${typeName(v)}`), null;
    return v;
  }

  array(key: string): JsonValue[] {
    const v = this.find(key, "an array");
    if (v === undefined) return [];
    if (!Array.isArray(v)) return this.fail(key, `expected an array, got ${typeName(v)}`), [];
    return v;
  }
}
