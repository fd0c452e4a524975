import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

// Needs the podman client to show that commands really go to the engine; CI installs it.
const hasPodman = spawnSync("podman", ["--version"]).status === 0;

it.skipIf(!hasPodman)(
  "`--sandbox container --container-image` runs the agent's commands through the engine",
  async () => {
    const model = await scriptedModel([
      { toolCalls: [{ name: "shell", arguments: { command: ["true"] } }] },
      { text: "done" },
    ]);
    const image = "localhost/quire-e2e-missing-image:1";
    const run = await runQuire(
      [
        "exec",
        "--json",
        "--sandbox",
        "container",
        "--container-image",
        image,
        "--provider",
        "openai",
        "-m",
        "m",
        "try",
      ],
      { cwd: makeRepo({ "a.txt": "a\n" }), home: tempHome(), env: providerEnv("openai", model.url) },
    );
    expect(run.code).toBe(0);
    const command = run.events.find((e) => e.type === "item.completed" && e.item.type === "command_execution");
    if (command?.type !== "item.completed" || command.item.type !== "command_execution") throw new Error("no command");
    // The image was never pulled: the engine itself says so, which proves it was asked.
    expect(command.item.exit_code).not.toBe(0);
    expect(command.item.aggregated_output).toContain("quire-e2e-missing-image");
  },
);
