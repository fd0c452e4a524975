// A hostile command whose own output is bounded (it prints nothing) but that makes hundreds of
// requests the filtering proxy refuses: each refusal used to become an event of its own, so the
// task's event log (and every viewer's stream) grew without bound.
import { expect, it } from "vitest";
import { REFUSALS_SHOWN } from "@quire/core";
import { useScriptedModels } from "../helpers/scripted.js";
import { makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

const REQUESTS = 300;

/** Raw proxy requests through the sandbox's own loopback, output thrown away. */
const flood = (host: string, count: number) =>
  `for i in $(seq ${count}); do exec 3<>/dev/tcp/127.0.0.1/3128 && ` +
  `printf 'GET http://${host}/x%s HTTP/1.1\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n' "$i" >&3 && cat <&3 >/dev/null; exec 3<&-; done; echo flooded`;

it("refusals of the agent's requests are bounded: the first few as items, then one summary with counts per host", async () => {
  const repo = makeRepo({
    ".quire/environment.toml": '[network]\nmode = "allowlist"\ndomains = ["registry.example.org"]\n',
  });
  const model = await scriptedModel([
    {
      toolCalls: [
        {
          name: "shell",
          arguments: {
            command: ["bash", "-c", `${flood("blocked.example", REQUESTS - 50)}; ${flood("other.example", 50)}`],
            timeout_ms: 120_000,
          },
        },
      ],
    },
    { text: "done" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "flood"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  const command = run.events.find((e) => e.type === "item.completed" && e.item.type === "command_execution");
  expect(
    command?.type === "item.completed" && command.item.type === "command_execution" && command.item.aggregated_output,
  ).toContain("flooded");
  const refusals = run.events.flatMap((e) =>
    e.type === "item.completed" && e.item.type === "error" ? [e.item.message] : [],
  );
  expect(refusals).toHaveLength(REFUSALS_SHOWN + 1);
  expect(refusals[0]).toMatch(/^network: blocked GET http:\/\/blocked\.example\/x1 /);
  const summary = refusals.at(-1)!;
  expect(summary).toContain(`${REQUESTS - REFUSALS_SHOWN} more requests blocked`);
  expect(summary).toContain(`blocked.example:80 ×${REQUESTS - 50 - REFUSALS_SHOWN}`);
  expect(summary).toContain("other.example:80 ×50");
}, 180_000);
