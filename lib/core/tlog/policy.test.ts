import { describe, expect, it } from "vitest";
import { generateSigningKey, verifierKeyString } from "../note.ts";
import { cosignerVerifierKey, generateCosignerKey } from "./cosignature.ts";
import { parsePolicy, quorumSatisfied, simplePolicy } from "./policy.ts";

const logKey = verifierKeyString(
  "example.com/log",
  generateSigningKey("example.com/log", new Uint8Array(32).fill(1)).publicKey,
);
const w = (label: string, seed: number) =>
  cosignerVerifierKey(
    `${label.toLowerCase()}.example`,
    generateCosignerKey(`${label.toLowerCase()}.example`, new Uint8Array(32).fill(seed)).publicKey,
  );

// The example policy of c2sp.org/tlog-policy §Example policy, with real keys.
const EXAMPLE = `log ${logKey}

witness X1 ${w("X1", 11)}
witness X2 ${w("X2", 12)}
witness X3 ${w("X3", 13)}
group X-witnesses 2 X1 X2 X3

witness Y1 ${w("Y1", 21)}
witness Y2 ${w("Y2", 22)}
witness Y3 ${w("Y3", 23)}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

describe("tlog-policy files", () => {
  it("parses the spec's example and evaluates its two-level quorum", () => {
    const p = parsePolicy(EXAMPLE);
    expect(p.logs.map((l) => l.name)).toEqual(["example.com/log"]);
    expect(p.witnesses.map((x) => x.label)).toEqual(["X1", "X2", "X3", "Y1", "Y2", "Y3"]);
    expect(p.groups).toEqual([
      { label: "X-witnesses", threshold: 2, members: ["X1", "X2", "X3"] },
      { label: "Y-witnesses", threshold: 1, members: ["Y1", "Y2", "Y3"] },
      { label: "X-and-Y", threshold: 2, members: ["X-witnesses", "Y-witnesses"] },
    ]);
    expect(p.quorum).toBe("X-and-Y");
    const ok = (...names: string[]) => quorumSatisfied(p, new Set(names));
    expect(ok("X1", "X3", "Y2")).toBe(true);
    expect(ok("X1", "Y1", "Y2", "Y3")).toBe(false);
    expect(ok("X1", "X2", "X3")).toBe(false);
    expect(ok()).toBe(false);
  });

  it("allows comments, tabs, surrounding whitespace and URLs; `quorum none` needs nobody", () => {
    const p = parsePolicy(`  # a comment\n\tlog\t${logKey}  https://log.example/tlog \n\nquorum none\n`);
    expect(p.logs[0]!.url).toBe("https://log.example/tlog");
    expect(quorumSatisfied(p, new Set())).toBe(true);
  });

  it("refuses what the spec forbids, naming the line", () => {
    const x1 = w("X1", 11);
    const cases: Array<[string, RegExp]> = [
      [`log ${logKey}\n`, /no quorum line/],
      [`quorum none\nquorum none\n`, /second quorum/],
      [`quorum X1\nwitness X1 ${x1}\n`, /line 1: quorum X1 is not defined/],
      [`witness X1 ${x1}\ngroup G 2 X1\nquorum G\n`, /threshold 2/],
      [`witness X1 ${x1}\ngroup G 0 X1\nquorum G\n`, /threshold 0/],
      [`witness X1 ${x1}\ngroup G any X1 X1\nquorum G\n`, /listed twice/],
      [`witness X1 ${x1}\nwitness X2 ${x1}\nquorum X1\n`, /duplicate witness/],
      [`witness X1 ${x1}\nwitness X1 ${w("X2", 12)}\nquorum X1\n`, /already defined/],
      [`log ${logKey}\nlog ${logKey}\nquorum none\n`, /duplicate log/],
      [`witness none ${x1}\nquorum none\n`, /predefined/],
      [`witness X1 ${logKey}\nquorum X1\n`, /log \(checkpoint\) key/],
      [`log ${x1}\nquorum none\n`, /log key/],
      [`witness X1 ${x1}\ngroup G any none\nquorum G\n`, /cannot be a group member/],
      [`frobnicate\nquorum none\n`, /unknown keyword/],
      [`quorum none\u0001\n`, /control character/],
    ];
    for (const [text, why] of cases) expect(() => parsePolicy(text), text.slice(0, 40)).toThrow(why);
  });

  it("builds the monitor's flat policy: k of n witnesses, or none", () => {
    const p = simplePolicy(logKey, [w("A", 1), w("B", 2), w("C", 3)], 2);
    expect(quorumSatisfied(p, new Set(["w1", "w3"]))).toBe(true);
    expect(quorumSatisfied(p, new Set(["w2"]))).toBe(false);
    expect(quorumSatisfied(simplePolicy(logKey, [], 0), new Set())).toBe(true);
    expect(() => simplePolicy(logKey, [w("A", 1)], 2)).toThrow(/threshold/);
  });
});
