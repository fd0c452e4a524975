/**
 * Redaction of secret values from what Quire stores and shows (events, logs, diffs): every
 * occurrence of a value becomes `[REDACTED:NAME]`, as written and in the encodings a script
 * commonly prints a value in (base64 and base64url at each alignment, hex, URL encoding, reversed).
 * A value printed in pieces, or in another encoding (base32, compressed, encrypted, one
 * character per line), is not found: docs/security.md says so.
 */
import type { QuireEvent } from "../events.js";

/**
 * Values shorter than this are not redacted: replacing every "abc" or "1" in all output would
 * mangle logs and diffs, and the pattern of replacements would itself reveal the value. A value
 * that short is no secret anyway; `quire env check` warns about it.
 */
export const MIN_REDACTED_LENGTH = 4;

interface Needle {
  text: string;
  name: string;
}

/**
 * An encoded form shorter than this is not redacted: a few base64 or hex characters occur by
 * chance in ordinary output, and replacing them would mangle it.
 */
const MIN_ENCODED_LENGTH = 8;

/** The text as written, and as it appears inside a JSON string (quotes, backslashes, newlines escaped). */
function withJsonEscapes(text: string): string[] {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped === text ? [text] : [text, escaped];
}

/**
 * The characters of base64(prefix + value + anything) that depend on the value's bytes alone, for
 * a prefix of 0, 1 and 2 bytes: so the value is found wherever it sits in a longer encoded text.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(first, end);
    cores.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return cores;
}

/** Every form of `value` that is redacted; see the module's comment. */
export function secretVariants(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const hex = bytes.toString("hex");
  const encoded = [...base64Cores(bytes), hex, hex.toUpperCase(), encodeURIComponent(value)].filter(
    (text) => text.length >= MIN_ENCODED_LENGTH && text !== value,
  );
  const reversed = [...value].reverse().join("");
  const plain = [value, ...(reversed === value ? [] : [reversed])].flatMap(withJsonEscapes);
  return [...new Set([...plain, ...encoded])];
}

export function createRedactor(secrets: Record<string, string>): (text: string) => string {
  const needles: Needle[] = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_REDACTED_LENGTH)
    .flatMap(([name, value]) => secretVariants(value).map((text) => ({ text, name })))
    // Longest first: a secret that contains another is named as itself, not as the shorter one.
    .sort((a, b) => b.text.length - a.text.length);
  if (needles.length === 0) return (text) => text;
  return (text) => redact(text, needles);
}

function redact(text: string, needles: Needle[]): string {
  // owner[i]: the needle that claims character i, or -1. Claiming characters (rather than
  // replacing matches one after another) means overlapping values leave no character behind.
  let owner: Int32Array | undefined;
  needles.forEach((needle, index) => {
    for (let at = text.indexOf(needle.text); at !== -1; at = text.indexOf(needle.text, at + 1)) {
      owner ??= new Int32Array(text.length).fill(-1);
      const end = at + needle.text.length;
      for (let i = at; i < end; i++) if (owner[i] === -1) owner[i] = index;
    }
  });
  if (owner === undefined) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = i;
    if (owner[i] === -1) {
      while (i < text.length && owner[i] === -1) i++;
      out += text.slice(start, i);
      continue;
    }
    // One tag per run of characters claimed by the same secret.
    const name = (needles[owner[i] as number] as Needle).name;
    while (i < text.length && owner[i] !== -1 && (needles[owner[i] as number] as Needle).name === name) i++;
    out += `[REDACTED:${name}]`;
  }
  return out;
}

/** Applies `redact` to every string inside `value` (arrays and plain objects, deeply); keys are kept. */
function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]));
  }
  return value;
}

/** A copy of `event` with every string redacted (messages, command output, diffs, errors). */
export function redactEvent<T extends QuireEvent>(event: T, redact: (text: string) => string): T {
  return redactDeep(event, redact) as T;
}
