import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the CLI end-to-end tests run the built binary.
    alias: [
      {
        find: /^@quire\/testing$/,
        replacement: fileURLToPath(new URL("./packages/testing/src/index.ts", import.meta.url)),
      },
      {
        find: /^@quire\/protocol\/constants$/,
        replacement: fileURLToPath(new URL("./packages/protocol/src/constants.ts", import.meta.url)),
      },
      {
        find: /^@quire\/protocol$/,
        replacement: fileURLToPath(new URL("./packages/protocol/src/index.ts", import.meta.url)),
      },
      { find: /^@quire\/core$/, replacement: fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
