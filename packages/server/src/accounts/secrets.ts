/** The random values handed to clients (session ids, API tokens) and how they are kept: hashed. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every API token starts with this, so secret scanners and people can recognise one. */
export const TOKEN_PREFIX = "quire_";
/** How much of a token's value is kept and shown to tell tokens apart (the rest stays secret). */
const SHOWN_CHARACTERS = TOKEN_PREFIX.length + 4;

/** 256 random bits, base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** A fast hash is enough for 256-bit random values; passwords use scrypt instead. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function newTokenValue(): { value: string; hash: string; prefix: string } {
  const value = TOKEN_PREFIX + randomSecret();
  return { value, hash: sha256(value), prefix: value.slice(0, SHOWN_CHARACTERS) };
}

export function newSessionId(): { id: string; hash: string } {
  const id = randomSecret();
  return { id, hash: sha256(id) };
}

/**
 * The CSRF token of a session: derived from its id, so nothing more is stored, and one-way, so
 * the token (which pages may read) does not give the session away.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash("sha256").update(`quire-csrf:${sessionId}`).digest("base64url");
}

/** Equal strings in time independent of where they differ (both sides are hashed to one length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
