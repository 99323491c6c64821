// `wasm-opt -Oz` over many modules in one process: npm's wasm-opt is binaryen
// compiled to wasm and spends about a second starting, which a split UI (~200
// pieces) paid once per piece. Usage: node wasm-opt.mjs FILE... (in place);
// BINARYEN is the path of the binaryen package's index.js.
import { readFileSync, writeFileSync } from "node:fs";

const { default: binaryen } = await import(process.env.BINARYEN);
const F = binaryen.Features;
// What build_wasm enables on the command line (bulk memory brings its opt subset).
const features =
  F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.ReferenceTypes;
// -Oz; no names section in the output (as without -g).
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
binaryen.setDebugInfo(false);
for (const file of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(file));
  // Those its target_features section names, and these (as wasm-opt does).
  module.setFeatures(module.getFeatures() | features);
  if (!module.validate()) {
    console.error(`${file}: not a valid module for these features`);
    process.exit(1);
  }
  module.optimize();
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
