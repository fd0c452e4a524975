import { NETWORK_PRESET_DOMAINS } from "../environments/network-preset.js";
import type { NetworkPolicy } from "../environments/types.js";
import type { ContextNetwork } from "../instructions/environment-context.js";
import { loadAgentsInstructions } from "../instructions/agents-md.js";
import { renderEnvironmentContext } from "../instructions/environment-context.js";
import { loadPrompt } from "../instructions/prompts.js";
import type { ConversationItem } from "../models/types.js";
import { availableTools } from "../sandbox/available-tools.js";
import { viewPathOf, workspaceViewOf } from "../sandbox/workspace-view.js";
import type { SandboxBackendName } from "../sandbox/types.js";
import type { TaskMode } from "../tools/types.js";

export function systemPromptFor(mode: TaskMode): string {
  return loadPrompt(mode);
}

/** The first items of every task: AGENTS.md instructions (if any) and the environment context. */
export async function buildPreamble(options: {
  home: string;
  workspace: string;
  cwd: string;
  mode: TaskMode;
  sandbox: SandboxBackendName;
  /** The agent phase's network policy: the model is told what it really is. */
  network: NetworkPolicy;
  agentsMd?: { fallbackNames?: string[]; maxBytes?: number };
}): Promise<ConversationItem[]> {
  const agents = await loadAgentsInstructions({
    quireHome: options.home,
    repoRoot: options.workspace,
    cwd: options.cwd,
    fallbackNames: options.agentsMd?.fallbackNames,
    maxBytes: options.agentsMd?.maxBytes,
  });
  // The cwd as the agent's commands see it (with bwrap, the workspace's neutral path).
  const view = workspaceViewOf(options.sandbox, options.workspace);
  const environment = renderEnvironmentContext({
    cwd: viewPathOf([options.workspace], view, options.cwd),
    sandbox: options.sandbox,
    network: contextNetwork(options.network),
    writable: options.mode === "code",
    shell: "bash",
    date: new Date().toISOString().slice(0, 10),
    mode: options.mode,
    tools: availableTools(options.sandbox) ?? undefined,
  });
  const preamble: ConversationItem[] = [];
  if (agents.text.trim() !== "") preamble.push({ type: "message", role: "user", text: agents.text });
  preamble.push({ type: "message", role: "user", text: environment });
  return preamble;
}

/** The policy as the environment context states it: an allowlist with the preset's hosts spelled out. */
export function contextNetwork(policy: NetworkPolicy): ContextNetwork {
  const preset = policy.preset ? NETWORK_PRESET_DOMAINS : [];
  return { mode: policy.mode, domains: [...new Set([...policy.domains, ...preset])], methods: policy.methods };
}
