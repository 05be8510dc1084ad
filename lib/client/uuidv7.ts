// RFC 9562 UUIDv7 with Web Crypto only (Node ≥ 20, browsers, workers): time-ordered, so
// ids assigned in one process sort by creation, and random enough never to collide.

let lastMs = 0;
let seq = 0;

export function uuidv7(now = Date.now()): string {
  // A 12-bit counter keeps ids of one millisecond increasing.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs++;
  } else {
    lastMs = now;
    seq = 0;
  }
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  const ms = lastMs;
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((seq >>> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
