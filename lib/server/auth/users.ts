import "server-only";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "./principal.ts";
import { checkPasswordStrength, generatePassword, hashPassword } from "./passwords.ts";
import { ROLES, type Role } from "./permissions.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";

// User administration. Every function takes the acting principal, checks
// `users:manage`, makes the change, and appends it to the ledger as a
// meta-audit entry. Password hashes never leave this module.

export type UserInfo = {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  authProvider: string;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .regex(/^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/, "must be an email address");
export const roleSchema = z.enum(ROLES, { message: `must be one of: ${ROLES.join(", ")}` });

const omitSecret = { passwordHash: true, sessionVersion: true } as const;

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new AppError("validation", `${field} ${r.error.issues[0]?.message ?? "is invalid"}`, {
      title: "Invalid input",
      errors: [{ pointer: `/${field}`, detail: r.error.issues[0]?.message ?? "is invalid" }],
    });
  }
  return r.data;
}

/** A users row as Prisma reads it (`role` is plain text in the table), as the admin API returns it. */
function serialize(u: Omit<UserInfo, "role"> & { role: string }): UserInfo {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    authProvider: u.authProvider,
    disabledAt: u.disabledAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

async function audit(
  ledger: Ledger,
  p: Principal,
  action: string,
  email: string,
  attributes: Record<string, unknown> = {},
) {
  await recordAudit(ledger, actorOf(p), {
    action,
    eventType: "modify",
    outcome: "success",
    target: { id: `ledgerline://users/${email}`, type: "user" },
    attributes,
  });
}

export async function listUsers(ledger: Ledger, p: Principal): Promise<UserInfo[]> {
  assertCan(p, "users:manage");
  return (await ledger.prisma.user.findMany({ orderBy: { email: "asc" }, omit: omitSecret })).map(serialize);
}

async function findOrThrow(ledger: Ledger, email: string) {
  const u = await ledger.prisma.user.findUnique({
    where: { email: parse(emailSchema, email, "email") },
    omit: omitSecret,
  });
  if (!u) throw new AppError("not_found", `No user ${email}.`);
  return u;
}

/**
 * Creates a password user. Without a password, one is generated and returned
 * once (the invitation the admin hands over out of band).
 */
export async function createUser(
  ledger: Ledger,
  p: Principal,
  input: { email: string; role: string; name?: string; password?: string },
): Promise<{ user: UserInfo; password?: string }> {
  assertCan(p, "users:manage");
  const email = parse(emailSchema, input.email, "email");
  const role = parse(roleSchema, input.role, "role");
  const name = input.name?.trim()
    ? parse(z.string().max(200, "must be at most 200 characters"), input.name.trim(), "name")
    : null;
  const generated = input.password ? undefined : generatePassword();
  const password = input.password ?? generated!;
  const weak = checkPasswordStrength(password);
  if (weak)
    throw new AppError("validation", `password ${weak}`, {
      title: "Invalid input",
      errors: [{ pointer: "/password", detail: weak }],
    });
  if (await ledger.prisma.user.findUnique({ where: { email } }))
    throw new AppError("conflict", `A user ${email} already exists.`);
  const now = nowIso();
  const u = await ledger.prisma.user.create({
    data: {
      id: uuidv7(),
      email,
      name,
      role,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    },
    omit: omitSecret,
  });
  await audit(ledger, p, "user.create", email, { role });
  return { user: serialize(u), ...(generated ? { password: generated } : {}) };
}

export async function setUserRole(ledger: Ledger, p: Principal, email: string, role: string): Promise<UserInfo> {
  assertCan(p, "users:manage");
  const r = parse(roleSchema, role, "role");
  const u = await findOrThrow(ledger, email);
  if (p.kind === "user" && p.userId === u.id && r !== "admin") {
    throw new AppError("conflict", "You cannot take the admin role from yourself; ask another admin.");
  }
  const updated = await ledger.prisma.user.update({
    where: { id: u.id },
    data: { role: r, updatedAt: nowIso() },
    omit: omitSecret,
  });
  await audit(ledger, p, "user.set-role", u.email, { from: u.role, to: r });
  return serialize(updated);
}

export async function setUserDisabled(
  ledger: Ledger,
  p: Principal,
  email: string,
  disabled: boolean,
): Promise<UserInfo> {
  assertCan(p, "users:manage");
  const u = await findOrThrow(ledger, email);
  if (disabled && p.kind === "user" && p.userId === u.id)
    throw new AppError("conflict", "You cannot disable yourself.");
  const now = nowIso();
  const updated = await ledger.prisma.user.update({
    where: { id: u.id },
    data: { disabledAt: disabled ? (u.disabledAt ?? now) : null, updatedAt: now },
    omit: omitSecret,
  });
  await audit(ledger, p, disabled ? "user.disable" : "user.enable", u.email);
  return serialize(updated);
}

/** Sets a new password (generated and returned once when none is given) and ends the user's sessions. */
export async function resetUserPassword(
  ledger: Ledger,
  p: Principal,
  email: string,
  password?: string,
): Promise<{ user: UserInfo; password?: string }> {
  assertCan(p, "users:manage");
  const u = await findOrThrow(ledger, email);
  const generated = password ? undefined : generatePassword();
  const pw = password ?? generated!;
  const weak = checkPasswordStrength(pw);
  if (weak)
    throw new AppError("validation", `password ${weak}`, {
      title: "Invalid input",
      errors: [{ pointer: "/password", detail: weak }],
    });
  const updated = await ledger.prisma.user.update({
    where: { id: u.id },
    data: { passwordHash: await hashPassword(pw), sessionVersion: { increment: 1 }, updatedAt: nowIso() },
    omit: omitSecret,
  });
  await audit(ledger, p, "user.reset-password", u.email);
  return { user: serialize(updated), ...(generated ? { password: generated } : {}) };
}
