import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// The SPA lives in client/ and is built into dist/client, which wrangler serves as static assets (see wrangler.toml).
// In dev, `npm start` rebuilds it and serves it from `wrangler dev` on the same origin as the API.
export default defineConfig({
  root: "client",
  plugins: [solid()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    target: "es2022",
    // Hashed file names are immutable; _headers gives them a long cache lifetime.
    assetsDir: "assets",
  },
});
