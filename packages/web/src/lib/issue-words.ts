/**
 * The server validates with zod, whose type errors read like "Invalid input: expected number,
 * received string": right for a program, not for a form. Those few are said in words a person
 * uses next to a field ("must be a number"); every other message (the server's own) is kept.
 */
const TYPE_WORDS: Record<string, string> = {
  number: "must be a number",
  int: "must be a whole number",
  integer: "must be a whole number",
  bigint: "must be a whole number",
  boolean: "must be true or false",
  string: "must be text",
  array: "must be a list",
  object: "must be a group of settings",
  record: "must be a group of settings",
};

export function issueInWords(message: string): string {
  const typed = /expected (\w+), received (\w+)/i.exec(message);
  if (typed) {
    const [, expected = "", received = ""] = typed;
    if (received.toLowerCase() === "undefined") return "is required";
    if (expected.toLowerCase() === "number" && received.toLowerCase() === "nan") return TYPE_WORDS.number!;
    return TYPE_WORDS[expected.toLowerCase()] ?? "has the wrong kind of value";
  }
  if (/^required$/i.test(message.trim())) return "is required";
  return message;
}
