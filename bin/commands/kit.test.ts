import { describe, expect, it } from "vitest";
import { UsageError, jsonOption, type CommandLine } from "./kit.ts";

const line = (values: CommandLine["values"]): CommandLine => ({
  values,
  positionals: [],
  cmd: "x",
  sub: undefined,
  rest: [],
  out: { json: false },
});

describe("jsonOption (alerts --condition/--filter/--channels, retention --filter, erase --json-value)", () => {
  it("parses the option's JSON, and is undefined when the option is absent", () => {
    expect(jsonOption(line({ filter: '{"source":"payments"}' }), "filter", "{}")).toEqual({ source: "payments" });
    expect(jsonOption(line({ "json-value": "42" }), "json-value", "42")).toBe(42);
    expect(jsonOption(line({ "json-value": "null" }), "json-value", "42")).toBeNull();
    expect(jsonOption(line({}), "filter", "{}")).toBeUndefined();
  });

  it("refuses bad JSON as a usage error that says what the option holds, an example and what it got", () => {
    const call = () =>
      jsonOption(
        line({ filter: "{source:payments}" }),
        "filter",
        `'{"source":"payments"}'`,
        "an explorer filter as JSON",
      );
    expect(call).toThrow(UsageError);
    expect(call).toThrow(
      `--filter must be an explorer filter as JSON, e.g. --filter '{"source":"payments"}' (got {source:payments})`,
    );
    expect(() => jsonOption(line({ condition: "[" }), "condition", "'{}'")).toThrow(
      "--condition must be JSON, e.g. --condition '{}' (got [)",
    );
  });
});
