import canonicalize from "canonicalize";
import { hasLoneSurrogate } from "./bytes.ts";

// The `canonicalize` package does the RFC 8785 serialization (ECMAScript number formatting,
// UTF-16 key order, string escaping). It follows JSON.stringify for values JSON cannot
// represent — silently dropping `undefined` members, calling toJSON, turning a Date into a
// string — which is exactly what must not happen under a hash: the committed bytes would no
// longer be the data the caller handed over. So the input is checked against the plain
// JSON data model first, and anything outside it is an error naming where it was found.

// The path is kept as a stack of keys and only turned into a JSON pointer when a
// check fails: building pointer strings for every key of every valid entry cost
// more than the serialization itself on the ingest hot path.
type Path = Array<string | number>;

function fail(path: Path, what: string, hint = ""): never {
  // RFC 6901 JSON pointer, so the message points at the offending field unambiguously.
  const p = path.map((k) => `/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
  throw new Error(
    `canonicalJson: ${what} at ${p === "" ? "(root)" : p} is not representable in JSON (RFC 8785)${hint}`,
  );
}

function assertJsonValue(value: unknown, path: Path, ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
      if (hasLoneSurrogate(value)) fail(path, "a string with a lone surrogate");
      return;
    case "number":
      if (!Number.isFinite(value)) fail(path, `the number ${String(value)}`);
      return;
    case "boolean":
      return;
    case "undefined":
      fail(path, "undefined");
    case "bigint":
      fail(path, "a bigint");
    case "function":
      fail(path, "a function");
    case "symbol":
      fail(path, "a symbol");
  }
  if (value === null) return;
  const obj = value as object;
  if (ancestors.has(obj)) fail(path, "a circular reference");
  ancestors.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      // Holes in sparse arrays read as undefined and are rejected like explicit undefined.
      path.push(i);
      assertJsonValue(obj[i], path, ancestors);
      path.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "object";
      fail(path, `a ${name} instance`, "; only plain objects and arrays are allowed");
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) fail(path, "a symbol-keyed property");
    if (typeof (obj as { toJSON?: unknown }).toJSON === "function") fail(path, "an object with toJSON");
    for (const key of Object.keys(obj)) {
      path.push(key);
      if (hasLoneSurrogate(key)) fail(path, "a property name with a lone surrogate");
      assertJsonValue((obj as Record<string, unknown>)[key], path, ancestors);
      path.pop();
    }
  }
  ancestors.delete(obj);
}

/**
 * RFC 8785 (JCS) canonical JSON text of `value`.
 * Invariants: only the JSON data model is accepted — null, booleans, finite numbers,
 * well-formed strings, arrays and plain objects; `undefined` (anywhere, including as an
 * object member), NaN/±Infinity, bigint, functions, symbols, class instances (Date, Map,
 * Uint8Array …), toJSON objects and cycles throw an Error naming the JSON pointer. Equal
 * JSON values always give the identical string; UTF-8 encode it to get the JCS bytes.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, [], new Set());
  const out = canonicalize(value);
  if (out === undefined) throw new Error("canonicalJson: value has no JSON representation");
  return out;
}
