// Times chrono-node on the texts bench/speed.py hands it, as bench/speed.py times tag():
// CPU time of this process, one warm-up pass, then the best of `passes` passes.
//   node chrono_speed.js TEXTS.json PASSES   (TEXTS.json: [[text, "YYYY-MM-DD"], ...])
// Prints one line of JSON: {"seconds": best, "found": expressions in one pass}.
"use strict";
const fs = require("fs");
const chrono = require("chrono-node");

const [file, passes] = process.argv.slice(2);
const texts = JSON.parse(fs.readFileSync(file, "utf8")).map(([text, day]) => [text, new Date(day + "T12:00:00")]);

function pass() {
  let found = 0;
  for (const [text, ref] of texts) found += chrono.parse(text, ref).length;
  return found;
}

const found = pass();    // warm-up: the JIT compiles chrono's patterns here
let best = Infinity;
for (let i = 0; i < Number(passes || 3); i++) {
  const before = process.cpuUsage();
  pass();
  const used = process.cpuUsage(before);
  best = Math.min(best, (used.user + used.system) / 1e6);
}
console.log(JSON.stringify({ seconds: best, found }));
