/** How big a bundle is, raw and gzipped — one measurement shared by `npm run check` and the `npm test` budget test. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "./proc.ts";

export const KiB = 1024;
/** The SPA's first visit downloads at most this much JS (gzip); screens are lazy chunks. Issue 9's budget. */
export const CLIENT_INITIAL_GZIP_BUDGET = 60 * KiB;
export const CLIENT_OUT = path.join(ROOT, "dist/client");

export interface Size {
  name: string;
  raw: number;
  gzip: number;
}

export function sizeOf(file: string, name = path.relative(ROOT, file)): Size {
  const bytes = readFileSync(file);
  return { name, raw: bytes.length, gzip: gzipSync(bytes).length };
}

export const sum = (name: string, sizes: Size[]): Size => ({
  name,
  raw: sizes.reduce((n, s) => n + s.raw, 0),
  gzip: sizes.reduce((n, s) => n + s.gzip, 0),
});

/**
 * The JS a first visit to the home feed downloads: index.html's module script, the chunks it modulepreloads, and the
 * home screen's chunks that its inline boot script modulepreloads on "/" (every "/assets/….js" the page names).
 */
export function clientInitialJs(outDir = CLIENT_OUT): Size[] {
  const html = readFileSync(path.join(outDir, "index.html"), "utf8");
  const refs = new Set([...html.matchAll(/"(\/assets\/[\w.-]+\.js)"/g)].map((m) => m[1]));
  if (refs.size === 0) throw new Error("dist/client/index.html references no JavaScript; is the build broken?");
  return [...refs].map((ref) => sizeOf(path.join(outDir, ref)));
}

export const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;
