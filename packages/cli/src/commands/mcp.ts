/**
 * `quire mcp`: Quire's MCP tools over stdio, for agents and editors that delegate to Quire (Codex
 * CLI, Claude Code…). With a server (--server, QUIRE_SERVER or `quire login`) the tools use its
 * API; without one they run tasks on this machine: the local home's database and workers, as
 * `quire serve` would, but with no listening socket. stdout is the protocol's: logs go to stderr.
 */
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ApiError, MCP_SERVER_INFO, QuireApiClient, registerQuireTools } from "@quire/server";
import type { Command } from "commander";
import { pino } from "pino";
import { addRunOptions, nonNegativeInt } from "../exec/run-options.js";
import { addServerOption, remoteClient, type ServerFlags } from "../remote/connection.js";
import { describeCheckout, repositoryForCheckout } from "../remote/checkout-repository.js";
import { UsageProblem } from "../review/usage-checks.js";
import { type RunFlags, startConfiguredService } from "./serve.js";

interface McpFlags extends RunFlags, ServerFlags {
  workers: number;
  databaseUrl?: string;
  logLevel: string;
}

export function registerMcp(program: Command): void {
  const command = program
    .command("mcp")
    .description("Serve Quire's tools over MCP on stdio (create, wait for, read, follow up and deliver tasks)")
    .option("--workers <n>", "without a server: tasks run at once by this process", nonNegativeInt, 2)
    .option(
      "--database-url <url>",
      "without a server: postgres://… (default DATABASE_URL; else SQLite in Quire's home)",
    )
    .option("--log-level <level>", "pino log level (on stderr)", "warn");
  addServerOption(command);
  addRunOptions(command).action(async (flags: McpFlags) => {
    process.exitCode = await runMcp(flags);
  });
}

async function runMcp(flags: McpFlags): Promise<number> {
  let client: QuireApiClient | null;
  try {
    client = await remoteClient(flags);
  } catch (error) {
    process.stderr.write(`quire mcp: ${(error as Error).message}\n`);
    return error instanceof UsageProblem ? 2 : 1;
  }
  let close = async (): Promise<void> => {};
  const local = client === null;
  if (!client) {
    const logger = pino({ level: flags.logLevel }, pino.destination(2));
    const service = await startConfiguredService(
      flags,
      "quire mcp",
      { concurrency: flags.workers, inProcessApi: true },
      logger,
    );
    if (typeof service === "number") return service;
    const app = service.app!;
    if (service.modelStatus?.ready === false)
      process.stderr.write(`quire mcp: warning: ${service.modelStatus.message}\n`);
    // Single-user: the local owner; the host is a loopback name, as the API requires of local mode.
    client = new QuireApiClient({
      server: "http://localhost",
      fetch: async (input, init) => app.fetch(new Request(input, init)),
    });
    close = () => service.close();
  }
  const server = new McpServer(MCP_SERVER_INFO);
  const api = client;
  registerQuireTools(server, api, { defaultRepository: () => repositoryOfWorkingDirectory(api, local) });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // The client ends the session by closing our stdin (or by a signal).
  await new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  await close();
  return 0;
}

/**
 * The repository for the directory `quire mcp` was started in (editors start it in the project):
 * the one registered for its checkout; on this machine's own home, registered now if it is not.
 */
async function repositoryOfWorkingDirectory(client: QuireApiClient, local: boolean): Promise<string> {
  const checkout = await describeCheckout(process.cwd()).catch(() => {
    throw new ApiError(400, `give repo: ${process.cwd()} is not a git checkout`);
  });
  try {
    return (await repositoryForCheckout(client, checkout)).id;
  } catch (error) {
    if (!local || !(error instanceof UsageProblem)) throw new ApiError(400, (error as Error).message);
  }
  const created = await client.json<{ repository: { id: string } }>("POST", "/api/repositories", {
    name: path.basename(checkout.root),
    source: checkout.root,
  });
  return created.repository.id;
}
