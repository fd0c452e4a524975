import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { scrubSecretsFromFiles } from "./scrub.js";

it("replaces secret values in regular files, leaves symlink targets and FIFOs alone", async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), "quire-scrub-outside-"));
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-scrub-"));
  writeFileSync(path.join(outside, "target.txt"), "token-abcdef\n");
  mkdirSync(path.join(dir, "config"));
  writeFileSync(path.join(dir, "config", ".npmrc"), "//registry/:_authToken=token-abcdef\nuser=pass-12345\n");
  writeFileSync(path.join(dir, "clean.txt"), "nothing here\n");
  writeFileSync(path.join(dir, "bytes.bin"), Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from("pass-12345")]));
  symlinkSync(path.join(outside, "target.txt"), path.join(dir, "link.txt"));
  execFileSync("mkfifo", [path.join(dir, "pipe")]);

  const scrubbed = await scrubSecretsFromFiles(dir, { TOKEN: "token-abcdef", PASS: "pass-12345", SHORT: "abc" });
  expect(scrubbed.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
    { path: "bytes.bin", secrets: ["PASS"] },
    { path: "config/.npmrc", secrets: ["TOKEN", "PASS"] },
  ]);
  expect(readFileSync(path.join(dir, "config", ".npmrc"), "utf8")).toBe(
    "//registry/:_authToken=[REDACTED:TOKEN]\nuser=[REDACTED:PASS]\n",
  );
  expect(readFileSync(path.join(dir, "bytes.bin")).subarray(0, 2)).toEqual(Buffer.from([0xff, 0x00]));
  expect(readFileSync(path.join(outside, "target.txt"), "utf8")).toBe("token-abcdef\n");
  expect(await scrubSecretsFromFiles(dir, {})).toEqual([]);
});

it("replaces the encodings of a value that redaction knows (base64, hex, reversed) too", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-scrub-encoded-"));
  const secret = "deploy-key-0123456789";
  const auth = Buffer.from(`user:${secret}`).toString("base64");
  writeFileSync(path.join(dir, "auth.json"), `{"auth":"${auth}","hex":"${Buffer.from(secret).toString("hex")}"}\n`);
  writeFileSync(path.join(dir, "rev.txt"), `${[...secret].reverse().join("")}\n`);
  const scrubbed = await scrubSecretsFromFiles(dir, { DEPLOY_KEY: secret });
  expect(scrubbed.map((file) => file.path).sort()).toEqual(["auth.json", "rev.txt"]);
  const text = readFileSync(path.join(dir, "auth.json"), "utf8");
  expect(text).not.toContain(Buffer.from(secret).toString("hex"));
  expect(Buffer.from(text.split('"')[3]!.replace(/\[REDACTED:DEPLOY_KEY\]/, ""), "base64").toString()).not.toContain(
    "0123456789",
  );
  expect(readFileSync(path.join(dir, "rev.txt"), "utf8")).toBe("[REDACTED:DEPLOY_KEY]\n");
});
