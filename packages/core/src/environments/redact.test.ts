import { describe, expect, it } from "vitest";
import type { QuireEvent } from "../events.js";
import { createRedactor, redactEvent } from "./redact.js";

describe("createRedactor on encoded secrets", () => {
  const secret = "s3cr3t-Token_value/+?~";
  const redact = createRedactor({ TOKEN: secret });
  /** What is left of the secret's bytes after redaction, in any of the encodings below. */
  const leaks = (text: string): boolean => {
    const out = redact(text);
    return !out.includes("[REDACTED:TOKEN]");
  };

  it("redacts base64 (standard and url-safe) at every alignment, inside longer encoded text", () => {
    for (const prefix of ["", "a", "ab", "abc", "header: x\n"]) {
      for (const suffix of ["", "z", "zz", "\ntrailer"]) {
        const encoded = Buffer.from(`${prefix}${secret}${suffix}`).toString("base64");
        expect(leaks(`echo ${encoded}`), `base64 of ${prefix}…${suffix}`).toBe(false);
        expect(leaks(`echo ${Buffer.from(`${prefix}${secret}${suffix}`).toString("base64url")}`)).toBe(false);
      }
    }
    // What remains of it cannot be decoded back into the secret.
    const out = redact(Buffer.from(`ab${secret}`).toString("base64"));
    expect(Buffer.from(out.replace(/\[REDACTED:TOKEN\]/, ""), "base64").toString("latin1")).not.toContain("cr3t");
  });

  it("redacts hex (either case), URL encoding and the reversed value", () => {
    const hex = Buffer.from(secret).toString("hex");
    for (const text of [hex, hex.toUpperCase(), encodeURIComponent(secret), [...secret].reverse().join("")]) {
      expect(leaks(`printed: ${text} .`), text).toBe(false);
      expect(redact(`printed: ${text} .`)).toBe("printed: [REDACTED:TOKEN] .");
    }
  });
});

describe("createRedactor", () => {
  it("replaces every occurrence of every secret with its name", () => {
    const redact = createRedactor({ NPM_TOKEN: "npm_abc123", DB_PASSWORD: "hunter22" });
    expect(redact("token=npm_abc123 pw=hunter22 again npm_abc123")).toBe(
      "token=[REDACTED:NPM_TOKEN] pw=[REDACTED:DB_PASSWORD] again [REDACTED:NPM_TOKEN]",
    );
    expect(redact("nothing secret here")).toBe("nothing secret here");
  });

  it("names the longer secret when one value contains another", () => {
    const redact = createRedactor({ SHORT: "token", LONG: "my-token-value" });
    expect(redact("a my-token-value b token c")).toBe("a [REDACTED:LONG] b [REDACTED:SHORT] c");
  });

  it("leaves no character of partly overlapping values", () => {
    const redact = createRedactor({ A: "abcdef", B: "defghi" });
    const out = redact("xx abcdefghi yy");
    expect(out).toBe("xx [REDACTED:A][REDACTED:B] yy");
    for (const piece of ["abc", "def", "ghi"]) expect(out).not.toContain(piece);
    // Overlapping occurrences of one value.
    expect(createRedactor({ R: "aaaa" })("baaaaab")).toBe("b[REDACTED:R]b");
  });

  it("redacts the value as it appears inside JSON strings", () => {
    const value = 'pa"ss\\word\nline2';
    const redact = createRedactor({ PW: value });
    const json = JSON.stringify({ output: `got ${value}!` });
    expect(json).not.toContain(value);
    expect(redact(json)).toBe(JSON.stringify({ output: "got [REDACTED:PW]!" }));
    expect(redact(`raw ${value}`)).toBe("raw [REDACTED:PW]");
  });

  it("skips values shorter than 4 characters", () => {
    const redact = createRedactor({ PIN: "123", EMPTY: "", KEY: "1234" });
    expect(redact("123 and 1234")).toBe("123 and [REDACTED:KEY]");
    expect(createRedactor({ PIN: "123" })("a 123")).toBe("a 123");
  });
});

describe("redactEvent", () => {
  it("redacts every string of an event, deeply, and leaves the original alone", () => {
    const redact = createRedactor({ TOKEN: "s3cr3t-value" });
    const event: QuireEvent = {
      type: "item.completed",
      item: {
        id: "1",
        type: "command_execution",
        command: "echo s3cr3t-value",
        aggregated_output: "s3cr3t-value\n",
        exit_code: 0,
        status: "completed",
        duration_ms: 5,
      },
    };
    expect(redactEvent(event, redact)).toStrictEqual({
      type: "item.completed",
      item: {
        id: "1",
        type: "command_execution",
        command: "echo [REDACTED:TOKEN]",
        aggregated_output: "[REDACTED:TOKEN]\n",
        exit_code: 0,
        status: "completed",
        duration_ms: 5,
      },
    });
    expect(JSON.stringify(event)).toContain("s3cr3t-value");
    const changes: QuireEvent = {
      type: "item.completed",
      item: { id: "2", type: "file_change", changes: [{ path: "s3cr3t-value.txt", kind: "add" }], status: "completed" },
    };
    expect(JSON.stringify(redactEvent(changes, redact))).not.toContain("s3cr3t-value");
  });
});
