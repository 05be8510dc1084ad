// The protobuf wire format (https://protobuf.dev/programming-guides/encoding/) as the OTLP
// decoder needs it: a bounds-checked reader over one buffer and the varint writer of the
// response. Split from otlp-protobuf.ts, which keeps the OTLP messages, so the field
// mapping reads without the byte handling. Every length is checked against the buffer, so a
// hostile body costs at most its own size.

import { OtlpDecodeError } from "./otlp-model.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new OtlpDecodeError("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new OtlpDecodeError("varint longer than 10 bytes");
  }

  /** A varint used as a length, tag or small enum: must fit in 32 bits. */
  uint32(): number {
    const v = this.varint();
    if (v > 0xffffffffn) throw new OtlpDecodeError("length or tag out of range");
    return Number(v);
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated fixed64");
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return dv.getBigUint64(0, true);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated double");
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return dv.getFloat64(0, true);
  }

  /** A length-delimited field as a sub-reader over the same buffer. */
  sub(): Reader {
    const len = this.uint32();
    if (this.pos + len > this.end) throw new OtlpDecodeError("length-delimited field runs past its message");
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  bytes(): Uint8Array {
    const r = this.sub();
    return this.buf.subarray(r.pos, r.end);
  }

  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch {
      throw new OtlpDecodeError("a string field is not valid UTF-8");
    }
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw new OtlpDecodeError("truncated fixed64");
        this.pos += 8;
        return;
      case 2:
        this.sub();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw new OtlpDecodeError("truncated fixed32");
        this.pos += 4;
        return;
      default:
        throw new OtlpDecodeError(`unsupported wire type ${wireType}`);
    }
  }

  /** Iterates the fields of this message: calls `fn(field, wireType)`, which must consume the value or return false to skip it. */
  fields(fn: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const tag = this.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) throw new OtlpDecodeError("field number 0");
      if (!fn(field, wt)) this.skip(wt);
    }
  }
}

export function expectWire(wt: number, want: number, what: string): void {
  if (wt !== want) throw new OtlpDecodeError(`${what} has wire type ${wt}, expected ${want}`);
}

export function varintBytes(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}
