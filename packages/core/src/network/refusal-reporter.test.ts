import { expect, it } from "vitest";
import type { NetworkDecision } from "./decision.js";
import { REFUSALS_SHOWN, RefusalReporter } from "./refusal-reporter.js";

const refused = (host: string): NetworkDecision => ({
  host,
  port: 443,
  method: "CONNECT",
  target: `${host}:443`,
  allowed: false,
  reason: "not-in-allowlist",
});

it("stays small however many hosts are refused: named hosts are capped, the rest counted together", () => {
  const messages: string[] = [];
  const reporter = new RefusalReporter("setup: ", (message) => messages.push(message));
  for (let i = 0; i < 100_000; i++) reporter.onDecision(refused(`host-${i}.example`));
  reporter.onDecision({ ...refused("allowed.example"), allowed: true, reason: "allowed" });
  reporter.flush();
  reporter.flush(); // nothing more to say
  expect(messages).toHaveLength(REFUSALS_SHOWN + 1);
  expect(messages[0]).toBe("setup: network: blocked CONNECT host-0.example:443 (not in allowlist)");
  const summary = messages.at(-1)!;
  expect(summary).toMatch(/^setup: network: 99980 more requests blocked after the first 20 \(/);
  expect(summary).toContain(`other hosts ×${100_000 - REFUSALS_SHOWN - 20}`);
  expect(summary.length).toBeLessThan(1500);
});
