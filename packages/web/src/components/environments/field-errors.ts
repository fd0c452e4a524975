/**
 * The server's 400 names each problem by its path in the request ("limits.memory_mb",
 * "network.domains.1", "variables.1BAD"); each field shows the problems under its own path,
 * and whatever no field claims is shown above the Save button. zod's type errors ("expected
 * number, received string") are said in words first.
 */
import type { ApiIssue } from "../../api/client";
import { issueInWords } from "../../lib/issue-words";

export class FieldErrors {
  private readonly issues: readonly ApiIssue[];

  constructor(issues: readonly ApiIssue[]) {
    this.issues = issues.map((issue) => ({ ...issue, message: issueInWords(issue.message) }));
  }

  static none = new FieldErrors([]);

  /** Messages for `field` itself or anything under it (`field.…`). */
  under(field: string): string[] {
    return this.issues.filter((issue) => matches(issue.path, field)).map((issue) => issue.message);
  }

  /** Messages under `field` that none of `claimed` (its rows' paths) takes. */
  underExcept(field: string, claimed: readonly string[]): string[] {
    return this.issues
      .filter((issue) => matches(issue.path, field) && !claimed.some((path) => matches(issue.path, path)))
      .map((issue) => issue.message);
  }

  /** Messages for exactly `path`. */
  at(path: string): string[] {
    return this.issues.filter((issue) => issue.path === path).map((issue) => issue.message);
  }

  /** The issues none of `fields` claims, for the form's own error line. */
  unclaimed(fields: readonly string[]): ApiIssue[] {
    return this.issues.filter((issue) => !fields.some((field) => matches(issue.path, field)));
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }
}

function matches(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`);
}
