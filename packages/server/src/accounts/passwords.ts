/**
 * Password hashing with scrypt (node:crypto, no native dependency). The parameters are stored
 * with each hash, so they can be raised later without invalidating existing passwords.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@quire/protocol";

/** 2^15 × r 8: 32 MiB and tens of milliseconds per hash, OWASP's floor for scrypt. */
const PARAMS = { N: 32_768, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_BYTES = 16;

/** The bounds are the API's (the upper one bounds the work a single sign-in request can ask for). */
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

function derive(password: string, salt: Buffer, params: typeof PARAMS, length: number): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS, KEY_LENGTH);
  const { N, r, p } = PARAMS;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Constant-time comparison; false (never an exception) for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  if (expected.length === 0) return false;
  const actual = await derive(password, salt, { N, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * Whether two passwords hash alike (hashing normalises them first). Not constant-time: both
 * come from the same caller, who knows them already.
 */
export function samePassword(a: string, b: string): boolean {
  return a.normalize("NFKC") === b.normalize("NFKC");
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification when there is no user (or no password) to check against,
 * so response times do not tell which emails have accounts.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
  return false;
}
