/** A new review of `base...ref`: both resolved in the repository's source, and the change not empty. */
import { ReviewRangeError, reviewRange } from "@quire/core";
import { HttpError } from "../errors.js";
import { isGitUrl, resolveRef, SourceError } from "../sources/sources.js";
import type { Repository, ReviewTarget } from "../storage/index.js";

const invalid = (path: string, message: string): HttpError =>
  new HttpError(400, `invalid task: ${path}: ${message}`, [{ path, message }]);

export async function resolveReviewRange(
  dir: string,
  repository: Pick<Repository, "source">,
  base: string,
  ref: string,
): Promise<{ mergeBase: string; target: ReviewTarget }> {
  const fromUrl = isGitUrl(repository.source);
  const head = await resolveRef(dir, ref, fromUrl).catch((error: unknown) => {
    throw error instanceof SourceError ? invalid("ref", error.message) : error;
  });
  const baseCommit = await resolveRef(dir, base, fromUrl).catch((error: unknown) => {
    throw error instanceof SourceError ? invalid("base", error.message) : error;
  });
  const range = await reviewRange(dir, baseCommit, head).catch((error: unknown) => {
    throw error instanceof ReviewRangeError ? invalid("base", error.message) : error;
  });
  if (range.diff.trim() === "") throw invalid("base", `nothing to review: ${ref} has no changes since ${base}`);
  return { mergeBase: range.mergeBase, target: { kind: "range", base: baseCommit, head } };
}
