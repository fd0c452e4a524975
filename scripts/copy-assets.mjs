// Copies non-TypeScript assets (the prompts as .md files) next to the compiled code.
import { cpSync, existsSync } from "node:fs";

const assets = [["packages/core/src/instructions/prompts", "packages/core/dist/instructions/prompts"]];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
