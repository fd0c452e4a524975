/**
 * The server's repository for a local checkout: the one registered from one of the checkout's
 * remotes (origin first), or from the checkout's own path (a server on this machine). URLs compare
 * the way the server compares them (host, port and path; not the transport or credentials).
 */
import { realpath } from "node:fs/promises";
import { git } from "@quire/core";
import { listRepositories, type QuireApiClient, type RemoteRepository, sourceIdentity } from "@quire/server";
import { UsageProblem } from "../review/usage-checks.js";

interface Checkout {
  root: string;
  /** Remote name → URL, origin first. */
  remotes: [string, string][];
  /** The branch checked out, when it is one. */
  branch: string | null;
}

export async function describeCheckout(dir: string): Promise<Checkout> {
  const root = (await git(["rev-parse", "--show-toplevel"], { cwd: dir })).trim();
  const config = await git(["config", "--get-regexp", "^remote\\..*\\.url$"], { cwd: root }).catch(() => "");
  const remotes = config
    .split("\n")
    .map((line) => /^remote\.(.+)\.url (.+)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match): [string, string] => [match[1]!, match[2]!])
    .sort(([a], [b]) => (a === "origin" ? -1 : b === "origin" ? 1 : 0));
  const branch = (await git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: root }).catch(() => "")).trim();
  return { root, remotes, branch: branch || null };
}

export async function repositoryForCheckout(client: QuireApiClient, checkout: Checkout): Promise<RemoteRepository> {
  const repositories = await listRepositories(client);
  const byIdentity = new Map<string, RemoteRepository>();
  for (const repository of repositories) {
    const source = repository.source.startsWith("/")
      ? await realpath(repository.source).catch(() => repository.source)
      : repository.source;
    byIdentity.set(sourceIdentity(source), repository);
  }
  for (const [, url] of checkout.remotes) {
    const found = byIdentity.get(sourceIdentity(url.startsWith("/") ? await realpath(url).catch(() => url) : url));
    if (found) return found;
  }
  const local = byIdentity.get(sourceIdentity(await realpath(checkout.root)));
  if (local) return local;
  const names = checkout.remotes.map(([name, url]) => `${name} ${url}`).join(", ") || "no remote";
  throw new UsageProblem(
    `no repository on ${client.server} is registered for ${checkout.root} (${names}): register it there, or name one with --repo ID`,
  );
}
