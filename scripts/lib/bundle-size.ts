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

/** The JS a first visit downloads: index.html's module script and the chunks it modulepreloads. */
export function clientInitialJs(outDir = CLIENT_OUT): Size[] {
  const html = readFileSync(path.join(outDir, "index.html"), "utf8");
  const refs = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)];
  if (refs.length === 0) throw new Error("dist/client/index.html references no JavaScript; is the build broken?");
  return refs.map((m) => sizeOf(path.join(outDir, m[1])));
}

export const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;
