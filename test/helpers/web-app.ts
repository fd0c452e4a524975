/**
 * The web app for browser tests: builds packages/web/dist when it is missing or older than its
 * sources (`quire serve` serves that directory), and launches Debian's Chromium through
 * playwright-core (never a downloaded browser).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const webDir = path.join(repoRoot, "packages/web");
const builtIndex = path.join(webDir, "dist/index.html");

function newestSource(): number {
  const files = ["index.html", "vite.config.ts", "package.json"].map((name) => path.join(webDir, name));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(webDir, "src"));
  return Math.max(...files.filter(existsSync).map((file) => statSync(file).mtimeMs));
}

function isFresh(): boolean {
  return existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource();
}

/**
 * Test files run in parallel workers: a lock keeps two of them from rebuilding dist at once
 * (vite empties dist first, which would break the other's server mid-test).
 */
export async function ensureWebAppBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = path.join(os.tmpdir(), "quire-web-build.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a build that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the web app build lock ${lock} is held for too long`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
    const env = { ...process.env, NODE_ENV: "production" };
    if (!isFresh()) execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: webDir, stdio: "pipe", env });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}
