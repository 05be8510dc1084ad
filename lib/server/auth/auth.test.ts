import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { roleFromClaims } from "./options.ts";
import { checkPasswordStrength, generatePassword, hashPassword, verifyPassword } from "./passwords.ts";
import {
  can,
  parseScopes,
  PERMISSIONS,
  permissionsOf,
  ROLES,
  scopesAllow,
  TOKEN_SCOPES,
  type TokenScope,
} from "./permissions.ts";
import { assertCan, effectivePermissions, type Principal } from "./principal.ts";
import { resolveAuthSecret } from "./secret.ts";

describe("passwords (scrypt)", () => {
  it("verifies the right password only, with a per-hash salt", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    expect(await hashPassword("correct horse battery")).not.toBe(h);
    // Unknown account: still hashes (same time), never true.
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", "garbage")).toBe(false);
  });
  it("rejects weak passwords and generates typeable strong ones", () => {
    expect(checkPasswordStrength("short")).toMatch(/at least 12/);
    expect(checkPasswordStrength("x".repeat(12))).toBeNull();
    const p = generatePassword();
    expect(p).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(checkPasswordStrength(p)).toBeNull();
  });
});

describe("permissions", () => {
  it("is one table: admin can everything, auditor exports but does not manage, analyst only reads (and keeps their own saved views)", () => {
    for (const p of Object.keys(PERMISSIONS) as Array<keyof typeof PERMISSIONS>) expect(can("admin", p)).toBe(true);
    expect(can("auditor", "bundles:create")).toBe(true);
    expect(can("auditor", "users:manage")).toBe(false);
    expect(can("analyst", "events:read")).toBe(true);
    expect(can("analyst", "bundles:create")).toBe(false);
    expect(can("analyst", "integrity:read")).toBe(false);
    expect(permissionsOf("analyst").sort()).toEqual([
      "alerts:acknowledge",
      "alerts:read",
      "dashboard:view",
      "events:read",
      "traces:read",
      "views:manage",
    ]);
    // Alerts: on-call analysts acknowledge, auditors only review who did; rules are admins'.
    expect(can("auditor", "alerts:read")).toBe(true);
    expect(can("auditor", "alerts:acknowledge")).toBe(false);
    expect(can("analyst", "alerts:manage")).toBe(false);
    expect(can("analyst", "siem:read")).toBe(false);
    expect(can("auditor", "siem:manage")).toBe(false);
    expect(can("auditor", "retention:manage")).toBe(false);
    expect(ROLES).toEqual(["admin", "auditor", "analyst"]);
  });
});

describe("read-token scopes (issue 13 item 11)", () => {
  const token = (role: "admin" | "auditor" | "analyst", scopes: TokenScope[]): Principal => ({
    kind: "user",
    userId: "u",
    email: "x@example.com",
    name: null,
    role,
    via: "token",
    scopes,
  });
  it("events:read reads; bundles:create and integrity:run only when granted; management never", () => {
    expect(scopesAllow(["events:read"], "events:read")).toBe(true);
    expect(scopesAllow(["events:read"], "bundles:read")).toBe(true);
    expect(scopesAllow(["events:read"], "bundles:create")).toBe(false);
    expect(scopesAllow(["events:read"], "integrity:run")).toBe(false);
    expect(scopesAllow([...TOKEN_SCOPES], "users:manage")).toBe(false);
    expect(effectivePermissions(token("admin", [...TOKEN_SCOPES]))).not.toContain("keys:manage");
    expect(effectivePermissions(token("analyst", [...TOKEN_SCOPES])).sort()).toEqual([
      "dashboard:view",
      "events:read",
      "traces:read",
    ]);
  });
  it("a stored list grants only the scopes it names that exist; events:read always", () => {
    expect(parseScopes("bundles:create users:manage  junk")).toEqual(["events:read", "bundles:create"]);
    expect(parseScopes("")).toEqual(["events:read"]);
  });
  it("assertCan says which scope is missing and how to get it", () => {
    expect(() => assertCan(token("auditor", ["events:read"]), "bundles:create")).toThrow(/--scope bundles:create/);
    expect(() => assertCan(token("analyst", [...TOKEN_SCOPES]), "bundles:create")).toThrow(/role \(analyst\)/);
    expect(() => assertCan(token("admin", [...TOKEN_SCOPES]), "users:manage")).toThrow(/not available to read tokens/);
  });
});

describe("OIDC role mapping", () => {
  const env = {
    LEDGERLINE_OIDC_ISSUER: "https://idp.example.com",
    LEDGERLINE_OIDC_CLIENT_ID: "c",
    LEDGERLINE_OIDC_CLIENT_SECRET: "s",
    LEDGERLINE_OIDC_ROLE_MAP: "ledgerline-admins=admin, ledgerline-auditors=auditor",
  };
  it("takes the first mapped role the identity's claim carries; none → null", () => {
    const oidc = loadConfig(env).oidc!;
    expect(roleFromClaims({ groups: ["x", "ledgerline-auditors"] }, oidc)).toBe("auditor");
    expect(roleFromClaims({ groups: ["ledgerline-auditors", "ledgerline-admins"] }, oidc)).toBe("admin");
    expect(roleFromClaims({ groups: "ledgerline-admins" }, oidc)).toBe("admin");
    expect(roleFromClaims({ groups: [] }, oidc)).toBeNull();
    expect(roleFromClaims({}, oidc)).toBeNull();
    const any = loadConfig({ ...env, LEDGERLINE_OIDC_ROLE_MAP: "ledgerline-admins=admin,*=analyst" }).oidc!;
    expect(roleFromClaims({ groups: ["other"] }, any)).toBe("analyst");
  });
  it("refuses incomplete or malformed settings with a message naming them", () => {
    expect(() => loadConfig({ LEDGERLINE_OIDC_ISSUER: "https://idp.example.com" })).toThrow(/CLIENT_ID/);
    expect(() => loadConfig({ ...env, LEDGERLINE_OIDC_ROLE_MAP: "x=root" })).toThrow(/ROLE_MAP/);
    expect(() => loadConfig({ ...env, LEDGERLINE_OIDC_ROLE_MAP: "" })).toThrow(/ROLE_MAP is required/);
  });
});

describe("session secret", () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
  it("refuses to start in production without NEXTAUTH_SECRET", () => {
    const config = loadConfig({ LEDGERLINE_ENV: "production", LEDGERLINE_DATA_DIR: dir() });
    expect(() => resolveAuthSecret(config, {})).toThrow(/LEDGERLINE_ENV=production but NEXTAUTH_SECRET is not set/);
    expect(() => resolveAuthSecret(config, { NEXTAUTH_SECRET: "short" })).toThrow(/at least 32/);
    expect(resolveAuthSecret(config, { NEXTAUTH_SECRET: "k".repeat(40) })).toBe("k".repeat(40));
  });
  it("outside production keeps a generated secret in the data dir, mode 0600, stable across starts", () => {
    const d = dir();
    const config = loadConfig({ LEDGERLINE_DATA_DIR: d });
    const a = resolveAuthSecret(config, {});
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(resolveAuthSecret(config, {})).toBe(a);
    expect(fs.statSync(path.join(d, "auth-secret")).mode & 0o777).toBe(0o600);
  });
});
