// Vite configuration of the browser example (`npm run browser`): the page imports the library by
// its public name, resolved to the TypeScript sources, as the tests and the other examples do.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  resolve: {
    alias: [{ find: /^swarmsim$/, replacement: fileURLToPath(new URL("../../src/index.ts", import.meta.url)) }],
  },
  build: { target: "es2022" },
});
