// Event `attributes` (SPEC §1): a JSON object, ≤ 8 KiB serialized, nesting depth ≤ 5.
//
// The walk is iterative and stops as soon as the size or depth budget is spent, so any input —
// a 100 000-deep array, a million keys — costs at most about ATTRIBUTES_MAX_BYTES steps
// and never recurses. Only after it passes does anything recurse (the copy; later JCS), and
// then the depth is known to be ≤ 5.
//
// Decisions:
// - Depth counts containers: the attributes object itself is level 1, each object or array
//   inside it one more; scalars add nothing. So `{"a":{"b":{"c":{"d":{"e":1}}}}}` (5 objects)
//   passes and one more level of object or array fails.
// - Size is the UTF-8 byte length of JSON.stringify(attributes) (compact, key order as sent);
//   JCS output has the same length, since it only reorders keys.
// - Keys `__proto__`, `constructor` and `prototype` are rejected, not renamed or dropped: they
//   are the classic prototype-pollution vectors for whatever later merges these objects, and an
//   audit log must not silently alter data.
// - Strings (keys and values) must be well-formed UTF-16 (no lone surrogates). Values may
//   hold tab, LF and CR (stack traces, multi-line messages); other C0/C1 controls are rejected.
//   Keys are names and follow the identifier rule (identifier.ts): no controls, format,
//   bidi or other invisible characters, which can make a displayed key read as another.
// - Numbers must be finite and, when integral, within ±(2^53−1): larger integers have
//   already lost digits in JSON.parse and would be committed in altered form.

import { identifierProblems } from "./identifier.ts";
import { pointerToken, scanText } from "./text-scan.ts";

export const ATTRIBUTES_MAX_BYTES = 8192;
export const ATTRIBUTES_MAX_DEPTH = 5;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

type AttributeError = { pointer: string; detail: string };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// Key errors travel with the child frame so errors come out in document order.
type Frame = { value: unknown; pointer: string; depth: number; keyErrors?: string[]; skipValue?: boolean };

/**
 * Checks an attributes value found at `pointer`; returns its errors (empty when valid).
 * Invariant: bounded work and constant stack depth for any input, including cyclic or
 * absurdly deep objects.
 */
export function checkAttributes(value: unknown, pointer: string): AttributeError[] {
  const errors: AttributeError[] = [];
  if (!isPlainObject(value)) return [{ pointer, detail: "must be a JSON object" }];
  const tooBig = { pointer, detail: `must be at most ${ATTRIBUTES_MAX_BYTES} bytes when serialized as JSON (UTF-8)` };
  let bytes = 0;
  const stack: Frame[] = [{ value, pointer, depth: 1 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const v = frame.value;
    const here = frame.pointer;
    for (const detail of frame.keyErrors ?? []) errors.push({ pointer: here, detail });
    if (frame.skipValue === true) continue;
    if (Array.isArray(v) || isPlainObject(v)) {
      if (frame.depth > ATTRIBUTES_MAX_DEPTH) {
        errors.push({
          pointer: here,
          detail: `nesting depth must be at most ${ATTRIBUTES_MAX_DEPTH} (the attributes object is level 1)`,
        });
        bytes += 2;
      } else if (Array.isArray(v)) {
        bytes = visitArray(v, frame, bytes, stack);
      } else {
        bytes = visitObject(v, frame, bytes, stack);
      }
    } else {
      bytes += scalarBytes(v, here, errors);
    }
    if (bytes > ATTRIBUTES_MAX_BYTES) break;
  }
  if (bytes > ATTRIBUTES_MAX_BYTES) errors.push(tooBig);
  return errors;
}

/** The serialized size of a non-container value; its errors go to `errors` (and add no bytes). */
function scalarBytes(v: unknown, here: string, errors: AttributeError[]): number {
  if (v === null) return 4;
  if (typeof v === "boolean") return v ? 4 : 5;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) {
      errors.push({ pointer: here, detail: "must be a finite number" });
      return 0;
    }
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
      errors.push({
        pointer: here,
        detail:
          "integers must be within ±9007199254740991 (2^53−1) to survive canonical JSON; send larger ones as strings",
      });
      return 0;
    }
    return String(v).length;
  }
  if (typeof v === "string") {
    const scan = scanText(v);
    if (scan.loneSurrogate)
      errors.push({ pointer: here, detail: "must not contain lone surrogates (invalid Unicode)" });
    if (scan.otherControl) {
      errors.push({
        pointer: here,
        detail: "must not contain control characters other than tab, line feed and carriage return",
      });
    }
    return scan.jsonBytes;
  }
  // undefined, bigint, functions, symbols, class instances: not JSON, so not hashable as sent.
  errors.push({ pointer: here, detail: "must be a JSON value (string, number, boolean, null, object or array)" });
  return 0;
}

/** Adds the array's brackets and commas to `bytes`; pushes its items only while within budget. */
function visitArray(v: unknown[], frame: Frame, bytes: number, stack: Frame[]): number {
  const total = bytes + 2 + Math.max(0, v.length - 1);
  // Check before pushing children, so a huge array costs nothing beyond this line.
  if (total > ATTRIBUTES_MAX_BYTES) return total;
  for (let i = v.length - 1; i >= 0; i--) {
    stack.push({ value: v[i], pointer: `${frame.pointer}/${i}`, depth: frame.depth + 1 });
  }
  return total;
}

/** Adds the object's braces, commas and keys to `bytes`; pushes its members only while within budget. */
function visitObject(v: Record<string, unknown>, frame: Frame, bytes: number, stack: Frame[]): number {
  const keys = Object.keys(v);
  let total = bytes + 2 + Math.max(0, keys.length - 1);
  const children: Frame[] = [];
  for (const key of keys) {
    if (total > ATTRIBUTES_MAX_BYTES) break;
    total += scanText(key).jsonBytes + 1; // the key, its quotes and the colon
    children.push({
      value: v[key],
      pointer: `${frame.pointer}/${pointerToken(key)}`,
      depth: frame.depth + 1,
      keyErrors: keyProblems(key),
      // A forbidden key's value is never looked at: nothing below it can be kept.
      skipValue: FORBIDDEN_KEYS.has(key),
    });
  }
  if (total > ATTRIBUTES_MAX_BYTES) return total;
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  return total;
}

function keyProblems(key: string): string[] {
  if (FORBIDDEN_KEYS.has(key)) {
    return [
      `key "${key}" is not allowed (reserved: __proto__, constructor and prototype could pollute object prototypes)`,
    ];
  }
  // Keys are names, shown in the dashboard: the identifier rule's characters (identifier.ts).
  return identifierProblems(key, { max: Infinity, allowBlank: true }).map((p) => `key ${p}`);
}

/**
 * A fresh deep copy of attributes that passed checkAttributes (depth ≤ 5, so recursion is
 * safe). Properties are defined, never assigned, so no key can reach a prototype setter.
 */
export function copyAttributes(value: Record<string, unknown>): Record<string, unknown> {
  return copyJson(value) as Record<string, unknown>;
}

function copyJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyJson);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      Object.defineProperty(out, key, {
        value: copyJson(v[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}
