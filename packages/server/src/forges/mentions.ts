/**
 * Reading `@quire …` out of a comment: what is asked (a code change, a question, a review) and
 * the request's text. Only a mention at the start of a line counts, so quoting or talking about
 * Quire mid-sentence does not start anything, and Quire's own replies never mention it.
 */
export type Mention =
  { command: "code"; request: string } | { command: "ask"; request: string } | { command: "review"; request: string };

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first line-leading `@name` in the comment (outside quoted `>` lines), and what follows it, or null. */
export function readMention(comment: string, name: string): Mention | null {
  const mention = new RegExp(`^[ \\t]*@${escape(name)}(?![\\w-])[ \\t,:]*`, "im");
  const unquoted = comment
    .split("\n")
    .map((line) => (/^\s*>/.test(line) ? "" : line))
    .join("\n");
  const match = mention.exec(unquoted);
  if (!match) return null;
  const rest = unquoted.slice(match.index + match[0].length).trim();
  const [word = "", ...others] = rest.split(/\s+/);
  const after = rest.slice(word.length).trim();
  if (/^ask$/i.test(word)) return { command: "ask", request: after };
  if (/^review$/i.test(word)) return { command: "review", request: after };
  void others;
  return { command: "code", request: rest };
}
