// A small, bounded JSON parser. JSON.parse is not enough for this protocol:
// it turns `1.0` and `1e2` into plain integers (the server refuses both),
// loses integers above 2^53, and keeps the last of two equal keys where the
// server (RapidJSON) keeps the first. So numbers keep their source text and
// objects are Maps (which also keeps a "__proto__" key from meaning anything).

export class JsonNumber {
  constructor(readonly raw: string) {}

  /** True when written without a fraction or exponent. */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.raw);
  }
}

export type JsonValue =
  | null
  | boolean
  | string
  | JsonNumber
  | JsonValue[]
  | JsonObject;

export type JsonObject = Map<string, JsonValue>;

export interface ParseLimits {
  maxBytes: number;
  maxDepth: number;
}

export const messageLimits: ParseLimits = { maxBytes: 64 * 1024, maxDepth: 16 };

/** The UTF-8 length of a string, in bytes (limits are in bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function typeName(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "string") return "a string";
  if (v instanceof JsonNumber) return v.isInteger ? "an integer" : "a fractional number";
  if (Array.isArray(v)) return "an array";
  return "an object";
}

// Deepest nesting, counted before parsing (as the server does), so a deep
// document is refused for its depth even when it is also malformed.
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") deepest = Math.max(deepest, ++depth);
    else if (c === "}" || c === "]") depth--;
  }
  return deepest;
}

class SyntaxProblem {
  constructor(readonly offset: number, readonly reason: string) {}
}

const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  pos = 0;
  loneSurrogate = false;

  constructor(private readonly text: string) {}

  fail(reason: string): never {
    throw new SyntaxProblem(this.pos, reason);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? "the document ends early" : "invalid value");
  }

  object(): JsonObject {
    const out: JsonObject = new Map();
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("expected a member name");
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("expected a colon after a member name");
      this.pos++;
      const v = this.value();
      if (!out.has(key)) out.set(key, v); // the first of equal keys wins
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected a comma or '}' after an object member");
      }
    }
  }

  array(): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected a comma or ']' after an array element");
      }
    }
  }

  number(): JsonNumber {
    numberPattern.lastIndex = this.pos;
    const m = numberPattern.exec(this.text);
    if (!m) return this.fail("invalid number");
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }

  string(): string {
    const t = this.text;
    let out = "";
    this.pos++; // opening quote
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail("a string is not closed");
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) break;
      if (c < 0x20) this.fail("a control character in a string");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      out += this.escape();
      start = this.pos;
    }
    out += t.slice(start, this.pos);
    this.pos++; // closing quote
    if (!this.loneSurrogate && !wellFormed(out)) this.loneSurrogate = true;
    return out;
  }

  escape(): string {
    const e = this.text[this.pos + 1];
    const simple: Record<string, string> = {
      '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t",
    };
    if (e !== undefined && e in simple) {
      this.pos += 2;
      return simple[e];
    }
    if (e !== "u") this.fail("invalid escape in a string");
    const hex = this.text.slice(this.pos + 2, this.pos + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape in a string");
    this.pos += 6;
    return String.fromCharCode(parseInt(hex, 16));
  }
}

// True unless a UTF-16 surrogate stands without its pair.
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

export type ParseResult = { ok: true; root: JsonObject } | { ok: false; error: string };

/**
 * Parses `text`, which must be one JSON object. Checks run in the server's
 * order: size, depth, syntax, root type, unpaired surrogates.
 */
export function parseObject(text: string, limits: ParseLimits = messageLimits): ParseResult {
  // Every UTF-16 unit is at least one UTF-8 byte, so a long string is over.
  if (text.length > limits.maxBytes || utf8Length(text) > limits.maxBytes)
    return { ok: false, error: `document: larger than the limit of ${limits.maxBytes} bytes` };
  if (nestingDepth(text) > limits.maxDepth)
    return { ok: false, error: `document: nested deeper than ${limits.maxDepth} levels` };
  const p = new Parser(text);
  let root: JsonValue;
  try {
    root = p.value();
    p.skipSpace();
    if (p.pos < text.length) p.fail("more text after the JSON value");
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    return { ok: false, error: `document: malformed JSON at offset ${e.offset}: ${e.reason}` };
  }
  if (!(root instanceof Map))
    return { ok: false, error: `document: expected a JSON object, got ${typeName(root)}` };
  if (p.loneSurrogate)
    return {
      ok: false,
      error: "document: a string holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair)",
    };
  return { ok: true, root };
}
