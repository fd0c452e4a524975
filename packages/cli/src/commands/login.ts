/**
 * `quire login --server URL`: checks the token against the server, then keeps both in Quire's
 * home (login.json, mode 0600) so later commands need no flags. `quire logout` forgets them.
 */
import { text } from "node:stream/consumers";
import { createInterface } from "node:readline";
import { quireHome } from "@quire/core";
import { ApiError, QuireApiClient } from "@quire/server";
import type { Command } from "commander";
import { normalizeServer } from "../remote/connection.js";
import { loginFile, removeLogin, writeLogin } from "../remote/login-file.js";
import { UsageProblem } from "../review/usage-checks.js";

interface LoginFlags {
  server: string;
  token?: string;
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("Store a server and its API token in Quire's home, for later commands (token from a prompt or stdin)")
    .requiredOption("--server <url>", "the Quire server, e.g. https://quire.example.com")
    .option("--token <token>", "the API token (quire_…; visible in `ps`: prefer stdin or the prompt)")
    .action(async (flags: LoginFlags) => {
      try {
        process.exitCode = await login(flags);
      } catch (error) {
        process.stderr.write(`quire login: ${(error as Error).message}\n`);
        process.exitCode = error instanceof UsageProblem ? 2 : 1;
      }
    });

  program
    .command("logout")
    .description("Forget the server and token `quire login` stored")
    .action(async () => {
      const removed = await removeLogin(quireHome());
      process.stdout.write(removed ? "logged out: later commands use the local home\n" : "not logged in\n");
    });
}

async function login(flags: LoginFlags): Promise<number> {
  const server = normalizeServer(flags.server);
  const token = (flags.token ?? (await readToken())).trim() || null;
  if (token !== null && !/^quire_[A-Za-z0-9_-]+$/.test(token)) {
    throw new UsageProblem(
      "that is not a Quire API token (they start with quire_; make one in the web app's settings)",
    );
  }
  // Checked before anything is stored: a wrong server or token is told now, not at the next command.
  const client = new QuireApiClient({ server, ...(token ? { token } : {}) });
  let who: string;
  try {
    const me = await client.json<{ user?: { email?: string } | null; workspace?: { name?: string } }>(
      "GET",
      "/api/auth/me",
    );
    who = me.user?.email ?? "the local user";
  } catch (error) {
    if (error instanceof ApiError) throw new Error(error.message);
    throw error;
  }
  const home = quireHome();
  await writeLogin(home, { server, token });
  process.stdout.write(`logged in to ${server} as ${who}; stored in ${loginFile(home)}\n`);
  return 0;
}

/** The token from stdin when it is piped, else asked for without echo; empty for a single-user server. */
async function readToken(): Promise<string> {
  if (!process.stdin.isTTY) return text(process.stdin);
  process.stderr.write("API token (empty for a single-user server): ");
  const input = createInterface({ input: process.stdin, terminal: true });
  // Nothing typed is echoed: the token must not stay on the screen.
  (input as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  const answer = await new Promise<string>((resolve) => input.question("", resolve));
  input.close();
  process.stderr.write("\n");
  return answer;
}
