// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: [".scratch/", "node_modules/", "data/", "coverage/", "bench/results/", "tests/artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/channels/web/public/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["eval/**/*.mjs", "scripts/**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      // The core is pure: adapters (HTTP, channels, storage, logging) depend on it, never the reverse.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/channels/**", "**/storage/**", "**/server/**", "**/cli/**"], message: "core must not import adapters" },
            { group: ["grammy", "axios", "fastify", "pino", "better-sqlite3", "hnswlib-node"], message: "core must not import infrastructure" },
            { group: ["node:fs", "node:fs/*", "fs", "node:http"], message: "core does no I/O" },
          ],
        },
      ],
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
