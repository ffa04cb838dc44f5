#!/usr/bin/env node
// House-rule lint for src/: no ambient nondeterminism (time, randomness, real timers) and
// no Node built-in imports, so every run replays from its seed and the core runs in a browser.
// Comments are skipped; a match anywhere else fails the run with file:line.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const sourceRoot = join(root, "src");

/** Patterns that read the real clock, real randomness or schedule real-time work. */
const forbiddenPatterns = [
  { pattern: /\bMath\.random\b/, reason: "Math.random (use the simulation's seeded generator)" },
  { pattern: /\bDate\.now\b/, reason: "Date.now (use the simulation clock)" },
  { pattern: /\bnew Date\(/, reason: "new Date( (use the simulation clock)" },
  { pattern: /\bperformance\.now\b/, reason: "performance.now (use the simulation clock)" },
  { pattern: /\bsetTimeout\b/, reason: "setTimeout (use simulation timers)" },
  { pattern: /\bsetInterval\b/, reason: "setInterval (use simulation timers)" },
  { pattern: /\bsetImmediate\b/, reason: "setImmediate (use simulation events)" },
  { pattern: /\bqueueMicrotask\b/, reason: "queueMicrotask (use simulation events)" },
  { pattern: /\bgetRandomValues\b/, reason: "crypto.getRandomValues (use the seeded generator)" },
  { pattern: /\brandomUUID\b/, reason: "crypto.randomUUID (use the seeded generator)" },
  { pattern: /from\s+["'](node:[^"']+|fs|path|os|child_process|worker_threads|crypto|http|net|url|util|events|stream)["']/, reason: "a Node built-in import (the core must run in a browser)" },
];

/**
 * Folders under src/ allowed to use Node built-ins (Node-only entry points). They run
 * simulations but are not simulated: the wall clock and real timers are allowed there too (a
 * progress bar's rate and ETA, a worker's timeout), randomness is not.
 */
const nodeOnlyFolders = ["src/node/"];
/** The rules a Node-only folder is exempt from. */
const nodeOnlyExemptions = new Set(["a Node built-in import", "performance.now", "Date.now", "new Date(", "setTimeout", "setInterval", "setImmediate", "queueMicrotask"]);

function listSourceFiles(directory) {
  const files = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) files.push(...listSourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry)) files.push(path);
  }
  return files;
}

/** Removes block and line comments while keeping line numbers. */
function stripComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const violations = [];
for (const file of listSourceFiles(sourceRoot)) {
  const path = relative(root, file);
  const lines = stripComments(readFileSync(file, "utf8")).split("\n");
  lines.forEach((line, index) => {
    for (const { pattern, reason } of forbiddenPatterns) {
      if (!pattern.test(line)) continue;
      const exempt = [...nodeOnlyExemptions].some((rule) => reason.startsWith(rule));
      if (exempt && nodeOnlyFolders.some((folder) => path.startsWith(folder))) continue;
      violations.push(`${path}:${index + 1}: ${reason}`);
    }
  });
}

if (violations.length > 0) {
  console.error("lint-determinism: ambient nondeterminism or Node built-ins in src/:");
  for (const violation of violations) console.error("  " + violation);
  process.exit(1);
}
console.log("lint-determinism: src/ is free of ambient nondeterminism and Node built-ins");
