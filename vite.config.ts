import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";
import { FEED_PAGE, FEED_REGION_KEY, SIGNED_IN_KEY, SUGGESTION_COUNT, WON_FORMAT } from "./client/src/lib/bootKeys";

/**
 * index.html's inline boot script (client/boot/early.js): it sends the app's first requests and, on "/" only,
 * modulepreloads the home screen's chunk and its imports (other routes don't download the home screen). Its values
 * come from the build (chunk names) and lib/bootKeys.ts; the CSP in _headers gets the script's hash, as
 * `script-src 'self'` allows no inline script otherwise. The entry stylesheet is inlined the same way (writeBundle).
 */
const BOOT_SLOT = "<!-- early boot script -->";

function earlyBoot(): Plugin {
  let outDir = "";
  return {
    name: "gonggu:early-boot",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
        const entry = chunks.find((c) => c.isEntry);
        const home = chunks.find((c) => c.facadeModuleId?.endsWith("/pages/HomePage.tsx"));
        if (!entry || !home) throw new Error("early-boot: no entry or HomePage chunk in the bundle");
        const already = new Set([entry.fileName, ...entry.imports]);
        const homeChunks: string[] = [];
        const visit = (fileName: string) => {
          if (already.has(fileName) || homeChunks.includes(`/${fileName}`)) return;
          homeChunks.push(`/${fileName}`);
          const chunk = bundle[fileName];
          if (chunk?.type === "chunk") for (const dep of chunk.imports) visit(dep);
        };
        visit(home.fileName);
        const boot = {
          homeChunks,
          signedInKey: SIGNED_IN_KEY,
          regionKey: FEED_REGION_KEY,
          feedPage: FEED_PAGE,
          suggestionCount: SUGGESTION_COUNT,
          wonFormat: WON_FORMAT,
        };
        const source = readFileSync(path.resolve(import.meta.dirname, "client/boot/early.js"), "utf8");
        if (!source.includes("__BOOT__")) throw new Error("early-boot: client/boot/early.js has no __BOOT__");
        const code = source
          .replace("__BOOT__", JSON.stringify(boot))
          .replace(/^\s*\/\/.*\n/gm, "") // whole-line comments are for the source, not the page
          .trim();
        // Right after <meta charset>: before the stylesheet link, which would hold a classic script back until the CSS
        // has loaded.
        const [head, rest] = html.split(BOOT_SLOT);
        if (rest === undefined) throw new Error(`early-boot: no ${BOOT_SLOT} in client/index.html`);
        return `${head}<script>${code}</script>${rest}`;
      },
    },
    // The entry stylesheet goes inline too: it is render-blocking, and on the home page the worker streams the first
    // feed cards into index.html (worker/web/home.ts), which then wait for nothing but it to paint; a separate request
    // for 2 KiB (gzip) cost a round trip first. Both hashes go into the CSP in _headers: still no other inline code.
    writeBundle() {
      const indexFile = path.join(outDir, "index.html");
      let html = readFileSync(indexFile, "utf8");
      const link = /<link rel="stylesheet" crossorigin href="\/(assets\/index-[\w-]+\.css)">/.exec(html);
      if (!link) throw new Error("early-boot: no entry stylesheet link in index.html");
      const css = readFileSync(path.join(outDir, link[1]), "utf8");
      if (css.includes("</style")) throw new Error("early-boot: the entry stylesheet cannot be inlined");
      html = html.replace(link[0], () => `<style>${css}</style>`);
      writeFileSync(indexFile, html);
      const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      if (inline.length !== 1) throw new Error(`early-boot: expected one inline script, found ${inline.length}`);
      const sha = (text: string) => createHash("sha256").update(text).digest("base64");
      const headersFile = path.join(outDir, "_headers");
      const headers = readFileSync(headersFile, "utf8");
      if (!headers.includes("script-src 'self';") || !headers.includes("style-src 'self';")) {
        throw new Error("early-boot: no `script-src 'self';` or `style-src 'self';` in _headers");
      }
      writeFileSync(
        headersFile,
        headers
          .replace("script-src 'self';", `script-src 'self' 'sha256-${sha(inline[0])}';`)
          .replace("style-src 'self';", `style-src 'self' 'sha256-${sha(css)}';`),
      );
    },
  };
}

// The SPA lives in client/ and is built into dist/client, which wrangler serves as static assets (see wrangler.toml).
// In dev, `npm start` rebuilds it and serves it from `wrangler dev` on the same origin as the API.
export default defineConfig({
  root: "client",
  plugins: [solid(), earlyBoot()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    target: "es2022",
    // Hashed file names are immutable; _headers gives them a long cache lifetime.
    assetsDir: "assets",
  },
});
