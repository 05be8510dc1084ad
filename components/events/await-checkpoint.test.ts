import { describe, expect, it } from "vitest";
import { noteTreeSize } from "./await-checkpoint.tsx";

describe("noteTreeSize", () => {
  it("reads the tree size from a C2SP checkpoint note, and nothing from anything else", () => {
    expect(
      noteTreeSize("ledgerline.example/log\n1234\nq0ZsXUWwX0hqv6zj8S3A2WJ0uCIRa6Y4nSPq3fX3H1I=\n\n— key sig\n"),
    ).toBe(1234);
    expect(noteTreeSize("origin\n12a\nroot\n")).toBeNull();
    expect(noteTreeSize("<!doctype html>")).toBeNull();
    expect(noteTreeSize("")).toBeNull();
  });
});
