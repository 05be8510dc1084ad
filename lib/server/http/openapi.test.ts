import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi.ts";

// Every route file under app/api/v1 is described, with exactly the methods it
// exports, and nothing described is missing a route file.

const API_DIR = path.join(process.cwd(), "app/api/v1");

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return routeFiles(p);
    return d.name === "route.ts" ? [p] : [];
  });
}

function routesOnDisk(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of routeFiles(API_DIR)) {
    const rel = path
      .relative(API_DIR, path.dirname(file))
      .split(path.sep)
      .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"));
    const src = fs.readFileSync(file, "utf8");
    const methods = [...src.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
      (m) => m[1]!.toLowerCase(),
    );
    out[`/api/v1/${rel.join("/")}`] = methods.sort();
  }
  return out;
}

describe("OpenAPI description", () => {
  it("describes every /api/v1 route and method, and only those", () => {
    const described = Object.fromEntries(
      Object.entries(openApiDocument.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]),
    );
    expect(described).toEqual(routesOnDisk());
  });
  it("gives every operation a summary, a security statement and responses", () => {
    for (const [p, ops] of Object.entries(openApiDocument.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        expect(op.summary, `${m} ${p}`).toBeTruthy();
        expect(op.security, `${m} ${p}`).toBeDefined();
        expect(Object.keys(op.responses as object).length, `${m} ${p}`).toBeGreaterThan(0);
      }
    }
  });
});
