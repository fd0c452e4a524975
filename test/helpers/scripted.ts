import { type Script, type ScriptedModelServer, startScriptedModelServer } from "@quire/testing";
import { afterEach } from "vitest";

/**
 * Starts scripted model servers for the tests of one file and closes them after each test.
 * Call once at the top level of a test file.
 */
export function useScriptedModels(): (script: Script) => Promise<ScriptedModelServer> {
  const open: ScriptedModelServer[] = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  return async (script) => {
    const server = await startScriptedModelServer(script);
    open.push(server);
    return server;
  };
}
