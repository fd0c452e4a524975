/**
 * Which server a command talks to: `--server URL`, else `QUIRE_SERVER`, else the one `quire login`
 * stored; none of them: the local home. The token is `QUIRE_TOKEN`, else the stored one, which is
 * only ever sent to the server it was stored for.
 */
import { quireHome } from "@quire/core";
import { QuireApiClient } from "@quire/server";
import type { Command } from "commander";
import { UsageProblem } from "../review/usage-checks.js";
import { readLogin } from "./login-file.js";

export interface ServerFlags {
  server?: string;
}

export function addServerOption(command: Command): Command {
  return command.option(
    "--server <url>",
    "talk to this Quire server instead of the local home (default QUIRE_SERVER, or `quire login`)",
  );
}

/** A server URL as the client uses it: http(s), no trailing slash; a typo is a usage problem. */
export function normalizeServer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageProblem(`--server: ${value} is not a URL (e.g. http://127.0.0.1:7420)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageProblem(`--server: ${value} is not an http or https URL`);
  }
  if (url.username || url.password) throw new UsageProblem("--server: give the token in QUIRE_TOKEN, not in the URL");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The client of the chosen server, or null when the command works on the local home. */
export async function remoteClient(flags: ServerFlags): Promise<QuireApiClient | null> {
  const home = quireHome();
  const stored = await readLogin(home);
  const named = flags.server ?? (process.env.QUIRE_SERVER || undefined) ?? stored?.server;
  if (!named) return null;
  const server = normalizeServer(named);
  const storedToken = stored && normalizeServer(stored.server) === server ? stored.token : null;
  const token = process.env.QUIRE_TOKEN || storedToken || undefined;
  return new QuireApiClient({ server, token });
}
