/**
 * The settings documentation is generated from src/config.ts (tools/config-docs.ts): it must be
 * up to date in docs/configuration.md and .env.example, and every setting must be documented.
 */
import { readFile } from "node:fs/promises";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod/v4";
import { ConfigSchema, createConfig, secretValues, settingDocs, settingSchemas } from "../../src/config.js";
import { CONFIG_DOC, documentedSettings, ENV_EXAMPLE, envExample, expectedFiles, replaceTable, settingsTable, TABLE_END, TABLE_START } from "../../tools/config-docs.js";

const FIX = "run `npm run docs:config` and commit the result";

describe("generated settings documentation", () => {
  it(`should match docs/configuration.md between the markers (${FIX})`, async () => {
    const doc = await readFile(CONFIG_DOC, "utf8");
    expect(doc).toContain(TABLE_START);
    expect(doc, FIX).toBe((await expectedFiles()).doc);
  });

  it(`should match .env.example (${FIX})`, async () => {
    expect(await readFile(ENV_EXAMPLE, "utf8"), FIX).toBe((await expectedFiles()).env);
  });

  it("should replace only what is between the markers", () => {
    const doc = `# Tiêu đề\n\nTrước.\n\n${TABLE_START}\ncũ\n${TABLE_END}\n\nSau.\n`;
    expect(replaceTable(doc, "mới")).toBe(`# Tiêu đề\n\nTrước.\n\n${TABLE_START}\nmới\n${TABLE_END}\n\nSau.\n`);
    expect(() => replaceTable("# Không có dấu mốc\n", "mới")).toThrow(/settings-table:start/);
  });

  it("should document every setting, each with its own description", () => {
    const settings = settingSchemas();
    const undocumented = settings.filter(({ schema }) => !settingDocs.get(schema)?.description.trim()).map((s) => s.key);
    expect(undocumented).toEqual([]);
    // Documentation hangs on the schema object: one shared by several keys would document them all alike.
    expect(new Set(settings.map((s) => s.schema)).size).toBe(settings.length);
    expect(new Set(settings.map((s) => settingDocs.get(s.schema)?.description)).size).toBe(settings.length);
  });

  it("should refuse to generate when a setting has no documentation", () => {
    const bare = { key: "UNDOCUMENTED_FOR_TEST", section: "logging" as const, schema: z.string().optional() };
    expect(() => documentedSettings([...settingSchemas(), bare])).toThrow(/UNDOCUMENTED_FOR_TEST/);
    expect(() => documentedSettings()).not.toThrow();
  });

  it("should list every key once, grouped by section, in both files", () => {
    const keys = settingSchemas().map((s) => s.key);
    const table = settingsTable();
    const env = envExample();
    for (const key of keys) {
      expect(table.match(new RegExp(`^\\| \`${key}\` \\|`, "gm")), key).toHaveLength(1);
      expect(env.match(new RegExp(`^${key}=`, "gm")), key).toHaveLength(1);
    }
    expect(table.match(/^### /gm)).toHaveLength(Object.keys(ConfigSchema.shape).length);
  });

  it("should give .env.example the defaults: read as an .env file it configures exactly the defaults", () => {
    const parsed = parseEnv(envExample());
    expect(Object.keys(parsed).sort()).toEqual(settingSchemas().map((s) => s.key).sort());
    expect(createConfig(parsed)).toEqual(createConfig({}));
  });

  it("should mark the secrets, and nothing else, for the language model's leak check", () => {
    const config = createConfig({
      LLM_API_KEY: "sk-test-1234567890",
      LLM_MODEL: "qwen2.5:7b",
      LLM_PROVIDER: "ollama",
      TELEGRAM_BOT_TOKEN: "123456:TEST-token-not-real-aaaaaaaaaaaa",
      CONSOLE_PASSWORD: "mat-khau-dai",
    });
    expect(secretValues(config).sort()).toEqual(["123456:TEST-token-not-real-aaaaaaaaaaaa", "mat-khau-dai", "sk-test-1234567890"]);
  });
});
