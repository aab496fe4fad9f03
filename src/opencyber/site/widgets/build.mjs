// Build assets/widgets.js (+ widgets.css) from entry.js with esbuild, from the pinned npm packages:
//   node src/opencyber/site/widgets/build.mjs OUT_DIR
// Minified, no source map, no build date: the same packages give the same bytes.
import * as esbuild from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) { console.error("usage: node build.mjs OUT_DIR"); process.exit(2); }

const shims = {
  name: "opencyber-shims",
  setup(build) {
    // jupyter-leaflet's Leaflet with all its plugins -> Leaflet alone
    build.onResolve({ filter: /^\.\.?\/leaflet$/ }, (args) =>
      args.importer.includes(`${path.sep}jupyter-leaflet${path.sep}`) ? { path: path.join(here, "leaflet.js") } : undefined);
    // jupyter-leaflet's index (every model) -> the one module Layer.js takes from it
    build.onResolve({ filter: /^\.\.\/jupyter-leaflet$/ }, (args) =>
      args.importer.includes(`${path.sep}jupyter-leaflet${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), "..", "controls", "Control.js") } : undefined);
    build.onResolve({ filter: /^sanitize-html$/ }, () => ({ path: path.join(here, "sanitize-html.js") }));
  },
};

await esbuild.build({
  entryPoints: [path.join(here, "entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  legalComments: "none",
  sourcemap: false,
  outfile: path.join(out, "widgets.js"),
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  define: { "process.env.NODE_ENV": '"production"' },
  plugins: [shims],
  logLevel: "warning",
  metafile: process.env.OC_METAFILE ? true : false,
}).then((r) => {
  if (r.metafile) { console.log(JSON.stringify(r.metafile)); }
});
