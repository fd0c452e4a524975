/**
 * Rolling windows: a limit of N per 5 hours means at most N in any 5 hours, so room comes back
 * as each old admission leaves the window, not all at once at a fixed hour. That keeps bursts
 * bounded at every moment and needs no calendar or time zone. The week is 7 × 24 hours.
 */
import type { LedgerEntry } from "../storage/index.js";

export const FIVE_HOURS_MS = 5 * 60 * 60 * 1000;
export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Entries after this instant are in the window that ends at `now`. */
export function windowStart(now: Date, windowMs: number): string {
  return new Date(now.getTime() - windowMs).toISOString();
}

/**
 * When the window will have room for `needed` more, given its entries (oldest first) adding up
 * to `used`: the moment enough of the oldest have left. Null when there is room now, or never
 * will be (`needed` alone is over `max`).
 */
export function roomAt(
  entries: readonly LedgerEntry[],
  used: number,
  max: number,
  needed: number,
  windowMs: number,
): Date | null {
  const excess = used + needed - max;
  if (excess <= 0 || needed > max) return null;
  let left = 0;
  for (const entry of entries) {
    left += entry.amount;
    if (left >= excess) return new Date(Date.parse(entry.at) + windowMs);
  }
  return null;
}

/** When the total will be under `max` again (for budgets used up by amounts, like sandbox time). */
export function underAt(entries: readonly LedgerEntry[], used: number, max: number, windowMs: number): Date | null {
  if (used < max) return null;
  let left = 0;
  for (const entry of entries) {
    left += entry.amount;
    if (used - left < max) return new Date(Date.parse(entry.at) + windowMs);
  }
  return null;
}

/** When the oldest entry leaves the window, i.e. when the meter next goes down; null if empty. */
export function nextDecreaseAt(entries: readonly LedgerEntry[], windowMs: number): Date | null {
  const oldest = entries[0];
  return oldest ? new Date(Date.parse(oldest.at) + windowMs) : null;
}

export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}
