// One pass over a string that answers the cheap character-level questions the event rules ask
// (which characters are invisible or format characters is identifier.ts's, by Unicode property),
// so a field is read once whatever combination of rules applies to it. Hand-written rather
// than a set of regexes because it also has to count Unicode code points (lengths in SPEC §1
// are "chars", and a client in Python or Go counts code points, not UTF-16 units) and the
// exact UTF-8 size of the string's JSON form (the attributes size limit).

export type TextScan = {
  /** Unicode code points; a lone surrogate counts as one. */
  codePoints: number;
  /** An unpaired UTF-16 surrogate: not representable in UTF-8, so never storable or hashable. */
  loneSurrogate: boolean;
  /** Tab, line feed or carriage return. */
  tabOrNewline: boolean;
  /** Any other C0 control (U+0000–U+001F), DEL (U+007F) or C1 control (U+0080–U+009F). */
  otherControl: boolean;
  /** Bytes of the UTF-8 encoding of JSON.stringify(s), quotes included. */
  jsonBytes: number;
  /** Every code unit is below U+0080 (then only the control flags can make it an invalid identifier). */
  ascii: boolean;
};

export function scanText(s: string): TextScan {
  let codePoints = 0;
  let jsonBytes = 2;
  let loneSurrogate = false;
  let tabOrNewline = false;
  let otherControl = false;
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    codePoints++;
    if (c < 0x20) {
      if (c === 0x09 || c === 0x0a || c === 0x0d) tabOrNewline = true;
      else otherControl = true;
      // JSON.stringify writes \b \t \n \f \r as two characters and other C0 controls as \u00XX.
      jsonBytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    } else if (c === 0x22 || c === 0x5c) {
      jsonBytes += 2;
    } else if (c < 0x7f) {
      jsonBytes += 1;
    } else if (c === 0x7f) {
      otherControl = true;
      jsonBytes += 1;
    } else if (c < 0x800) {
      ascii = false;
      if (c < 0xa0) otherControl = true;
      jsonBytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      ascii = false;
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        jsonBytes += 4;
      } else {
        loneSurrogate = true;
        jsonBytes += 6; // well-formed JSON.stringify escapes it as \udXXX
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      ascii = false;
      loneSurrogate = true;
      jsonBytes += 6;
    } else {
      ascii = false;
      jsonBytes += 3;
    }
  }
  return { codePoints, loneSurrogate, tabOrNewline, otherControl, jsonBytes, ascii };
}

/** RFC 6901 reference token for `key`, so error pointers are unambiguous for any key. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}
