/**
 * Builds the npm package from the same sources as the JSR one: TypeScript's compiler emits
 * `.js` + `.d.ts` into dist/npm (tsconfig.build.json: relative `.ts` imports rewritten to
 * `.js`), the CLI gets a Node shebang, a package.json for publishing is written next to it,
 * and `npm pack` makes the tarball. Prints the tarball's path.
 *
 * Usage: deno run -A scripts/build_npm.ts   (or: node scripts/build_npm.ts)
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "dist/npm");
rmSync(join(root, "dist"), { recursive: true, force: true });
execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});

// cli.ts starts with a Deno shebang (for `deno run` of the JSR module); npm's bin runs Node.
const cli = join(out, "cli.js");
const source = readFileSync(cli, "utf8");
writeFileSync(cli, source.replace(/^#!.*\n/, "#!/usr/bin/env node\n"), { mode: 0o755 });

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const published = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  type: "module",
  exports: {
    ".": { types: "./mod.d.ts", default: "./mod.js" },
    "./cli": { types: "./cli.d.ts", default: "./cli.js" },
  },
  main: "./mod.js",
  types: "./mod.d.ts",
  bin: { "sluice-produce": "./cli.js" },
  files: ["**/*.js", "**/*.d.ts", "README.md"],
  // fflate is gzip's fallback where node:zlib is missing, loaded only then. hash-wasm is not
  // needed at run time (our CRC-32C measured on par with it; it stays a cross-check in tests).
  dependencies: { fflate: pkg.dependencies.fflate },
  engines: { node: ">=22.18" },
  keywords: ["kafka", "producer", "deno", "bun", "streams"],
};
writeFileSync(join(out, "package.json"), JSON.stringify(published, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(out, "README.md"));

const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", join(root, "dist")], {
  cwd: out,
}).toString().trim().split("\n").pop()!;
process.stdout.write(join(root, "dist", packed) + "\n");
