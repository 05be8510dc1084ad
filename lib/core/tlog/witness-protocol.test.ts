import { describe, expect, it } from "vitest";
import { toBase64, toHex } from "../bytes.ts";
import { sha256 } from "../hash.ts";
import { consistencyProof, merkleRoot } from "../merkle.ts";
import { formatCheckpoint, generateSigningKey, signNote } from "../note.ts";
import {
  decideAddCheckpoint,
  formatAddCheckpoint,
  formatSizeResponse,
  parseAddCheckpoint,
  parseSizeResponse,
  type WitnessedState,
} from "./witness-protocol.ts";

// The request body example of c2sp.org/tlog-witness §add-checkpoint, verbatim.
const SPEC_BODY = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;

describe("add-checkpoint text formats", () => {
  it("parses the spec's example request and writes it back byte for byte", () => {
    const r = parseAddCheckpoint(SPEC_BODY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.oldSize).toBe(20852014);
    expect(r.value.proof.map(toBase64)[3]).toBe("/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=");
    expect(r.value.checkpoint.startsWith("example.com/behind-the-sofa\n20852163\n")).toBe(true);
    expect(formatAddCheckpoint(r.value)).toBe(SPEC_BODY);
  });

  it("refuses malformed bodies with a reason", () => {
    const note = SPEC_BODY.slice(SPEC_BODY.indexOf("\n\n") + 2);
    const proofLine = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=";
    for (const [body, why] of [
      [`old 01\n\n${note}`, /leading zeroes/],
      [`old -1\n\n${note}`, /decimal/],
      [`new 1\n\n${note}`, /"old <size>"/],
      ["old 1\nexample.com/log\n", /blank line/],
      [`old 1\nnot-base64!\n\n${note}`, /not base64/],
      [`old 1\n${toBase64(new Uint8Array(31))}\n\n${note}`, /32-byte/],
      [`old 1\n${`${proofLine}\n`.repeat(64)}\n${note}`, /more than 63/],
      ["old 1\n\nexample.com/log\n1\nAAAA\n", /checkpoint: malformed/],
      [`old 99999999999999999999\n\n${note}`, /too large/],
    ] as const) {
      const r = parseAddCheckpoint(body);
      expect(r.ok, body.slice(0, 30)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(why);
    }
  });

  it("writes and reads the text/x.tlog.size body strictly", () => {
    expect(formatSizeResponse(50)).toBe("50\n");
    expect(parseSizeResponse("0\n")).toBe(0);
    expect(parseSizeResponse("50\n")).toBe(50);
    for (const bad of ["50", "050\n", "", "5 0\n", "-1\n", "50\n\n"]) expect(parseSizeResponse(bad)).toBeUndefined();
  });
});

describe("decideAddCheckpoint (the witness's checks, in the spec's order)", () => {
  const log = generateSigningKey("log.example/test", new Uint8Array(32).fill(1));
  const impostor = generateSigningKey("log.example/test", new Uint8Array(32).fill(2));
  const leaves = Array.from({ length: 600 }, (_, i) => sha256(Uint8Array.of(i >> 8, i & 0xff)));
  const forked = leaves.map((l, i) => (i === 42 ? sha256(Uint8Array.of(9, 9, 9)) : l));
  const checkpoint = (size: number, from = leaves, key = log) =>
    signNote(formatCheckpoint({ origin: "log.example/test", size, rootHash: merkleRoot(from.slice(0, size)) }), [key]);
  const body = (
    old: number,
    size: number,
    opts: { from?: Uint8Array[]; proof?: Uint8Array[]; key?: typeof log } = {},
  ) =>
    formatAddCheckpoint({
      oldSize: old,
      proof: opts.proof ?? (old === 0 ? [] : consistencyProof(old, (opts.from ?? leaves).slice(0, size))),
      checkpoint: checkpoint(size, opts.from, opts.key ?? log),
    });
  const logs = (origin: string) => (origin === "log.example/test" ? [log] : undefined);

  function witness() {
    let state: WitnessedState | null = null;
    return {
      submit(b: string) {
        const d = decideAddCheckpoint(b, logs, () => state);
        if (d.ok) state = d.next;
        return d;
      },
      get state() {
        return state;
      },
    };
  }

  it("accepts a first checkpoint with old 0, then consistent growth, then the same checkpoint again", () => {
    const w = witness();
    const first = w.submit(body(0, 100));
    expect(first.ok && first.text).toBe(
      formatCheckpoint({ origin: "log.example/test", size: 100, rootHash: merkleRoot(leaves.slice(0, 100)) }),
    );
    expect(w.submit(body(100, 300)).ok).toBe(true);
    expect(w.submit(body(300, 300)).ok).toBe(true);
    expect(w.submit(body(300, 600)).ok).toBe(true);
    expect(w.state?.size).toBe(600);
    expect(toHex(w.state!.rootHash)).toBe(toHex(merkleRoot(leaves)));
  });

  it("answers 409 with the known size to a stale old size, and flags a signed rollback", () => {
    const w = witness();
    w.submit(body(0, 300));
    const stale = w.submit(body(0, 400));
    expect(stale).toMatchObject({ ok: false, status: 409, kind: "stale-old-size", knownSize: 300, alert: false });
    const rollback = w.submit(body(0, 100));
    expect(rollback).toMatchObject({ ok: false, status: 409, kind: "rollback", knownSize: 300, alert: true });
    expect(w.state?.size).toBe(300);
  });

  it("answers 409 and flags a fork when the log signs another root for the same size", () => {
    const w = witness();
    w.submit(body(0, 300));
    const fork = w.submit(body(300, 300, { from: forked, proof: [] }));
    expect(fork).toMatchObject({ ok: false, status: 409, kind: "fork", alert: true });
    expect(!fork.ok && fork.detail).toMatch(/two different roots for size 300/);
  });

  it("answers 422 to a proof that does not verify (a fork of earlier history) and keeps its state", () => {
    const w = witness();
    w.submit(body(0, 300));
    const bad = w.submit(body(300, 600, { from: forked }));
    expect(bad).toMatchObject({ ok: false, status: 422, kind: "bad-proof", alert: true });
    const wrongLength = w.submit(body(300, 600, { proof: consistencyProof(300, leaves).slice(1) }));
    expect(wrongLength).toMatchObject({ status: 422 });
    expect(w.submit(body(0, 0, { proof: [] }))).toMatchObject({ status: 409 });
    const w2 = witness();
    expect(
      w2.submit(formatAddCheckpoint({ oldSize: 0, proof: [new Uint8Array(32)], checkpoint: checkpoint(5) })),
    ).toMatchObject({
      status: 422,
    });
    expect(w.state?.size).toBe(300);
  });

  it("answers 404 for an unknown origin, 403 for a checkpoint no trusted key signed, 400 for old > size", () => {
    const w = witness();
    const other = signNote(formatCheckpoint({ origin: "other.example/log", size: 1, rootHash: leaves[0]! }), [log]);
    expect(w.submit(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: other }))).toMatchObject({
      status: 404,
      kind: "unknown-log",
    });
    expect(w.submit(body(0, 100, { key: impostor }))).toMatchObject({ status: 403, kind: "bad-signature" });
    // A line with the trusted name and key id whose signature does not verify: 403 too.
    const good = checkpoint(100);
    const tampered = good.replace(/\n100\n/, "\n101\n");
    expect(w.submit(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: tampered }))).toMatchObject({
      status: 403,
    });
    expect(w.submit(body(0, 100))).toMatchObject({ ok: true });
    expect(w.submit(formatAddCheckpoint({ oldSize: 200, proof: [], checkpoint: checkpoint(150) }))).toMatchObject({
      status: 400,
    });
    expect(w.submit("garbage")).toMatchObject({ status: 400, kind: "malformed" });
  });
});
