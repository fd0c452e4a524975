/** Small conversions shared by the repositories: ids, timestamps, JSON and booleans as stored. */
import { randomBytes } from "node:crypto";

/** Sortable by creation time (like the CLI's local task ids), unguessable enough to be handed out. */
export function newId(now: Date = new Date()): string {
  return `${now.getTime().toString(36).padStart(9, "0")}${randomBytes(6).toString("hex")}`;
}

/** Fixed-width ISO-8601 in UTC, so stored timestamps compare correctly as text on both databases. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString();
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : fromJson<T>(text);
}

export function toFlag(value: boolean): number {
  return value ? 1 : 0;
}

export function fromFlag(value: number): boolean {
  return value !== 0;
}
