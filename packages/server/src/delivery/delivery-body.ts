/**
 * The words that shaped a delivered change, for its commit message and pull request: the prompt,
 * each follow-up the attempt ran (in order), then the agent's final message.
 */
export function deliveryBody(prompt: string, followUps: readonly string[], finalMessage: string | null): string {
  const rounds = followUps.map((text) => text.trim()).filter(Boolean);
  const asked =
    rounds.length === 0 ? [] : ["Follow-ups:", ...rounds.map((text) => `- ${text.split("\n").join("\n  ")}`)];
  return [prompt.trim(), asked.join("\n"), (finalMessage ?? "").trim()].filter(Boolean).join("\n\n");
}
