import { defineConfig } from "vitest/config";

/** Browser tests: the console driven through Debian's Chromium with playwright-core (`npm run test:browser`). */
export default defineConfig({
  test: {
    include: ["tests/system/browser/**/*.browser.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // One Chromium at a time on the 2-core machine.
    fileParallelism: false,
  },
});
