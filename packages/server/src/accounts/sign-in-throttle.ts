/**
 * Throttling password sign-ins (docs/accounts.md, "Sign-in throttling"): failures are counted per
 * (normalised email, client address) pair and per client address; once either reaches its limit,
 * attempts are refused before any password is checked, whether or not the email exists.
 *
 * The counters live in this process's memory (RateLimiterMemory): API processes behind one
 * address each count on their own, and a restart forgets them.
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { normalizeEmail } from "../storage/index.js";
import { throttleAddressKey } from "./address-key.js";
import { SIGN_IN_LIMITS, type SignInLimits } from "./sign-in-limits.js";

/** Which counter refused: the pair's, or the address's across all emails. */
export type ThrottleLimit = "email_and_address" | "address";

/** An attempt let through: report how it ended with `succeeded` or `abandoned`. */
export interface SignInAttempt {
  readonly pairKey: string;
  readonly addressKey: string;
}

export interface SignInRefusal {
  limit: ThrottleLimit;
  retryAfterSeconds: number;
  /** True for the attempt that started this block (the one worth an audit entry). */
  blockStarted: boolean;
}

export type SignInAdmission = { attempt: SignInAttempt; refusal?: undefined } | { refusal: SignInRefusal };

export class SignInThrottle {
  readonly limits: SignInLimits;
  private readonly failuresByPair: RateLimiterMemory;
  private readonly blocksByPair: RateLimiterMemory;
  private readonly failuresByAddress: RateLimiterMemory;

  constructor(limits: Partial<SignInLimits> = {}) {
    this.limits = { ...SIGN_IN_LIMITS, ...limits };
    const l = this.limits;
    this.failuresByPair = new RateLimiterMemory({
      keyPrefix: "pair",
      points: l.failuresPerEmailAndAddress,
      duration: l.failureWindowSeconds,
      blockDuration: l.blockSeconds,
    });
    this.blocksByPair = new RateLimiterMemory({
      keyPrefix: "blocks",
      points: Number.MAX_SAFE_INTEGER, // a tally only: it never refuses
      duration: l.blockMemorySeconds,
    });
    this.failuresByAddress = new RateLimiterMemory({
      keyPrefix: "address",
      points: l.failuresPerAddress,
      duration: l.addressWindowSeconds,
      blockDuration: l.addressBlockSeconds,
    });
  }

  /**
   * Lets an attempt through, counting it as a failure up front so that attempts made at the same
   * time cannot all slip under the limit while their passwords are checked; or refuses it.
   */
  async admit(email: string, clientAddress: string | undefined): Promise<SignInAdmission> {
    const addressKey = throttleAddressKey(clientAddress);
    // The address never contains "|", so the pair key is unambiguous whatever the email holds.
    const pairKey = `${addressKey}|${normalizeEmail(email)}`;

    // Already blocked: refused without counting, so waiting out the block is enough to get in.
    const addressBlocked = await blockedFor(this.failuresByAddress, addressKey);
    if (addressBlocked !== undefined) return refuse("address", addressBlocked, false);
    const pairBlocked = await blockedFor(this.failuresByPair, pairKey);
    if (pairBlocked !== undefined) return refuse("email_and_address", pairBlocked, false);

    const pairOver = await overLimit(this.failuresByPair, pairKey);
    if (pairOver) {
      const started = startedBlock(this.failuresByPair, pairOver);
      const ms = started ? await this.growBlock(pairKey) : pairOver.msBeforeNext;
      return refuse("email_and_address", ms, started);
    }
    const addressOver = await overLimit(this.failuresByAddress, addressKey);
    if (addressOver) {
      await giveBack(this.failuresByPair, pairKey); // its password was not checked either
      return refuse("address", addressOver.msBeforeNext, startedBlock(this.failuresByAddress, addressOver));
    }
    return { attempt: { pairKey, addressKey } };
  }

  /** The right password: the pair's failures and blocks are forgotten; the address gets its point back. */
  async succeeded(attempt: SignInAttempt): Promise<void> {
    await this.failuresByPair.delete(attempt.pairKey);
    await this.blocksByPair.delete(attempt.pairKey);
    await giveBack(this.failuresByAddress, attempt.addressKey);
  }

  /** No answer was reached (e.g. the database failed): the attempt does not count. */
  async abandoned(attempt: SignInAttempt): Promise<void> {
    await giveBack(this.failuresByPair, attempt.pairKey);
    await giveBack(this.failuresByAddress, attempt.addressKey);
  }

  /** The pair was just blocked for `blockSeconds`; each earlier block still remembered doubles it. */
  private async growBlock(pairKey: string): Promise<number> {
    const blocks = (await this.blocksByPair.penalty(pairKey)).consumedPoints;
    const { blockSeconds, maxBlockSeconds } = this.limits;
    const seconds = Math.min(blockSeconds * 2 ** (blocks - 1), Math.max(blockSeconds, maxBlockSeconds));
    if (blocks > 1) await this.failuresByPair.block(pairKey, seconds);
    return seconds * 1000;
  }
}

function refuse(limit: ThrottleLimit, msBeforeNext: number, blockStarted: boolean): { refusal: SignInRefusal } {
  return { refusal: { limit, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)), blockStarted } };
}

/** Milliseconds left of the key's block, or undefined when it is not blocked. */
async function blockedFor(limiter: RateLimiterMemory, key: string): Promise<number | undefined> {
  const state = await limiter.get(key);
  // Going over the limit always blocks (blockDuration), so over it means blocked.
  return state && state.consumedPoints > limiter.points ? state.msBeforeNext : undefined;
}

/** Counts one attempt; the limiter's answer when that took the key over its limit. */
async function overLimit(limiter: RateLimiterMemory, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (refused) {
    if (refused instanceof RateLimiterRes) return refused;
    throw refused;
  }
}

/**
 * Uncounts an attempt. Not when the window it was counted in has ended (that would start the next
 * one below zero), nor when the key got blocked meanwhile (that would lift the block early).
 */
async function giveBack(limiter: RateLimiterMemory, key: string): Promise<void> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints > 0 && state.consumedPoints <= limiter.points) await limiter.reward(key);
}

/** The limiter blocks a key when it first goes over; later refusals only add to its count. */
function startedBlock(limiter: RateLimiterMemory, refused: RateLimiterRes): boolean {
  return refused.consumedPoints === limiter.points + 1;
}
