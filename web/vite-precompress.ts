// A Vite plugin of the build (docs/ui.md): writes beside each file the
// build emits its gzip (.gz) and Brotli (.br) forms, which the gateway sends
// with Content-Encoding to a browser that accepts them (src/http/ui_files.*),
// and checks the first load of the app against its budget. Node's own zlib
// does both codings at their best levels, so no plugin from npm is needed:
// the build takes a few seconds longer (Swagger UI's 1.6 MB bundle is most
// of that), once.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

// Smaller files gain little and cost a form each.
const MIN_BYTES = 1024;
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|map|txt|webmanifest)$/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

// The forms of `data`; only those smaller than it (the gateway ignores others).
export function compressedForms(data: Buffer): { suffix: string; body: Buffer }[] {
  const forms = [
    { suffix: '.gz', body: gzipSync(data, { level: 9 }) },
    {
      suffix: '.br',
      body: brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    },
  ];
  return forms.filter((f) => f.body.length < data.length);
}

// What a browser fetches to show `page` (a built HTML file): the scripts,
// module preloads and style sheets it names under /assets/. Chunks the app
// imports lazily are not there: they load with their screen.
export function firstLoad(dist: string, page: string): string[] {
  const html = readFileSync(join(dist, page), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return [...new Set(refs)];
}

// The smallest form a browser can get of each file, summed.
export function compressedBytes(dist: string, assets: string[]): number {
  return assets
    .map((a) => readFileSync(join(dist, a)))
    .map((data) => Math.min(data.length, ...compressedForms(data).map((f) => f.body.length)))
    .reduce((a, b) => a + b, 0);
}

export function precompress(options: { budgetBytes: number }): Plugin {
  let outDir = 'dist';
  return {
    name: 'postern-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      let written = 0;
      for (const path of files(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const data = readFileSync(path);
        if (data.length < MIN_BYTES) continue;
        for (const form of compressedForms(data)) {
          writeFileSync(path + form.suffix, form.body);
          written++;
        }
      }
      const assets = firstLoad(outDir, 'index.html');
      const bytes = compressedBytes(outDir, assets);
      this.info(
        `${written} compressed forms; first load of / is ${(bytes / 1024).toFixed(1)} KB ` +
          `compressed (${assets.map((a) => relative('/assets', a)).join(', ')})`,
      );
      if (bytes > options.budgetBytes)
        this.error(
          `the first load of / is ${bytes} bytes of compressed JavaScript and CSS, ` +
            `over its budget of ${options.budgetBytes} (docs/ui.md)`,
        );
    },
  };
}
