import "server-only";
import crypto from "node:crypto";
import { promisify } from "node:util";

// scrypt (RFC 7914) from Node's own crypto: memory-hard, no native addon to
// compile or download. Format: scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>.

const scrypt = promisify(crypto.scrypt) as (
  pw: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  len: number,
  o: crypto.ScryptOptions,
) => Promise<Buffer>;
const N = 2 ** 15;
const R = 8;
const P = 1;
const LEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize("NFC"), salt, LEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

// Verified against when the account does not exist, so an unknown email costs
// the same time as a wrong password (no user enumeration by timing).
let dummy: Promise<string> | null = null;

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const target = stored ?? (await (dummy ??= hashPassword(crypto.randomBytes(16).toString("hex"))));
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(target);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, "base64");
  const got = await scrypt(password.normalize("NFC"), Buffer.from(m[4]!, "base64"), expected.length, {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    maxmem: MAXMEM,
  });
  return stored != null && crypto.timingSafeEqual(got, expected);
}

export function checkPasswordStrength(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return "must be at most 1024 characters";
  return null;
}

/** A random password a human can type: 4 groups of 5 base32 characters. */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join("");
  return chars.match(/.{5}/g)!.join("-");
}
