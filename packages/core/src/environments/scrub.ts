import { execFile } from "node:child_process";
import { lstat, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { MIN_REDACTED_LENGTH, secretVariants } from "./redact.js";

const execFileAsync = promisify(execFile);

export interface ScrubbedFile {
  /** Relative to the scrubbed directory. */
  path: string;
  secrets: string[];
}

/**
 * Secrets are for setup only, but a setup script may write one into the checkout (a token in
 * a config file). Every occurrence in a regular file under `dir` is replaced by
 * `[REDACTED:NAME]` (in the encodings redaction knows too), so the agent phase never reads it. Symlinks, FIFOs and devices are skipped.
 */
export async function scrubSecretsFromFiles(dir: string, secrets: Record<string, string>): Promise<ScrubbedFile[]> {
  // The value and its common encodings (as in redaction), longest first within each secret.
  const needles = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_REDACTED_LENGTH)
    .map(([name, value]) => [name, secretVariants(value).sort((a, b) => b.length - a.length)] as const);
  if (needles.length === 0) return [];
  const patterns = needles.flatMap(([, forms]) => forms.flatMap((form) => ["-e", form]));
  let listing = "";
  try {
    // -r follows no symlinks; -D skip ignores FIFOs and devices a script could leave to block us.
    ({ stdout: listing } = await execFileAsync("grep", ["-rlFZ", "-D", "skip", ...patterns, "--", dir], {
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const err = error as { code?: number; stdout?: string };
    if (err.code !== 1) listing = err.stdout ?? ""; // 1: nothing found; 2: some file unreadable
  }
  const scrubbed: ScrubbedFile[] = [];
  for (const file of listing.split("\0").filter(Boolean)) {
    if (!(await lstat(file)).isFile()) continue;
    let text = await readFile(file, "latin1"); // byte-preserving for any encoding
    const found: string[] = [];
    for (const [name, forms] of needles) {
      let seen = false;
      for (const form of forms) {
        const raw = Buffer.from(form, "utf8").toString("latin1");
        if (!text.includes(raw)) continue;
        text = text.split(raw).join(`[REDACTED:${name}]`);
        seen = true;
      }
      if (seen) found.push(name);
    }
    if (found.length === 0) continue;
    await writeFile(file, text, "latin1");
    scrubbed.push({ path: path.relative(dir, file), secrets: found });
  }
  return scrubbed;
}
