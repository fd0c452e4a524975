/**
 * The branch a delivery pushes when none is asked for: `quire/<slug of the task's first line>-
 * <short id>`, readable in a list of branches and still unique (the id's random tail). The slug
 * keeps only a-z, 0-9 and single dashes, so the name is always a valid git ref (`git
 * check-ref-format`): no dots, spaces, `@{`, control characters or leading dashes can get in.
 */
const SLUG_MAX = 48;
const SHORT_ID = 8;

export function slugOf(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  const words = line
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (words.length <= SLUG_MAX) return words;
  // Cut at a word boundary when there is one not too far back.
  const cut = words.slice(0, SLUG_MAX);
  const boundary = cut.lastIndexOf("-");
  return (boundary > SLUG_MAX / 2 ? cut.slice(0, boundary) : cut).replace(/-+$/, "");
}

export function deliveryBranchName(task: { id: string; prompt: string }): string {
  const shortId = task.id.slice(-SHORT_ID).toLowerCase();
  const slug = slugOf(task.prompt);
  return `quire/${slug ? `${slug}-` : "task-"}${shortId}`;
}
