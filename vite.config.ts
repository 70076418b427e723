import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";

/**
 * Most visits open on the home feed, a lazy route: without a hint the browser learns of its chunk only after the entry
 * script has run. `<link rel="modulepreload">` for that chunk and its imports lets it download alongside the entry.
 */
function preloadHomeRoute(): Plugin {
  return {
    name: "gonggu:preload-home-route",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
        const entry = chunks.find((c) => c.isEntry);
        const home = chunks.find((c) => c.facadeModuleId?.endsWith("/pages/HomePage.tsx"));
        if (!entry || !home) throw new Error("preload-home-route: no entry or HomePage chunk in the bundle");
        const already = new Set([entry.fileName, ...entry.imports]);
        const files: string[] = [];
        const visit = (fileName: string) => {
          if (already.has(fileName) || files.includes(fileName)) return;
          files.push(fileName);
          const chunk = bundle[fileName];
          if (chunk?.type === "chunk") for (const dep of chunk.imports) visit(dep);
        };
        visit(home.fileName);
        return files.map((file) => ({
          tag: "link",
          attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}` },
          injectTo: "head" as const,
        }));
      },
    },
  };
}

// The SPA lives in client/ and is built into dist/client, which wrangler serves as static assets (see wrangler.toml).
// In dev, `npm start` rebuilds it and serves it from `wrangler dev` on the same origin as the API.
export default defineConfig({
  root: "client",
  plugins: [solid(), preloadHomeRoute()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    target: "es2022",
    // Hashed file names are immutable; _headers gives them a long cache lifetime.
    assetsDir: "assets",
  },
});
