#!/usr/bin/env node
// Builds the evaluation set from the collected files (eval/collected/) and splits it ONCE, at
// random (seeded, stratified by topic and expected outcome), into eval/dev.jsonl (tune on it) and
// eval/test.jsonl (report only; never edited after its answers were seen). Deterministic: the same
// inputs and seed give the same split. Refuses to overwrite an existing split without --force.
//   node eval/split.mjs [--force]     (the split)
//   node eval/split.mjs --late        (files collected afterwards → eval/dev-late.jsonl, dev only)
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const DIR = path.dirname(new URL(import.meta.url).pathname);
const SEED = 20261207;
const FILES = ["real-starter.jsonl", "real-A.jsonl", "real-B.jsonl", "written-C.jsonl", "written-D.jsonl", "written-E.jsonl"];

// The starter set (shared/eval) predates the item format: its question types, labelled from the
// question text alone (before any answer was seen), and the fields it lacks.
const STARTER_QTYPE = {
  r001: "how", r002: "who", r003: "who", r004: "why", r005: "what", r006: "yesno", r007: "what", r008: "what", r009: "how", r010: "what",
  r011: "how", r012: "howmuch", r013: "how", r014: "what", r015: "what", r016: "what", r017: "yesno", r018: "why", r019: "what", r020: "what",
  r021: "what", r022: "how", r023: "why", r024: "how", r025: "how", r026: "other", r027: "what", r028: "why", r029: "how", r030: "yesno",
  r031: "yesno", r032: "what", r033: "what", r034: "how", r035: "how",
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalizeItem(raw, file) {
  const item = { ...raw };
  if (file === "real-starter.jsonl") {
    const english = [...item.question].every((ch) => ch.charCodeAt(0) < 128);
    Object.assign(item, {
      origin: "real",
      style: ["formal"],
      lang: english ? "en" : "vi",
      commune: null,
      qtype: STARTER_QTYPE[item.id],
      expect: item.answerable ? "answer" : "decline",
      reply_lang: english ? "en" : "vi",
    });
  }
  // Items marked "nfd" are stored in NFD, as some phones send them.
  item.question = (item.style ?? []).includes("nfd") ? item.question.normalize("NFD") : item.question.normalize("NFC");
  return item;
}

// Files collected after the split was made go to dev only (eval/dev-late.jsonl): they can be tuned
// on, and they never touch the frozen test split. `node eval/split.mjs --late` (re)builds that file.
const LATE_FILES = ["written-F.jsonl", "written-G.jsonl"];
if (process.argv.includes("--late")) {
  const testQuestions = new Set(
    readFileSync(path.join(DIR, "test.jsonl"), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l).question.normalize("NFC").trim().toLowerCase()),
  );
  const late = [];
  const seenLate = new Set();
  for (const file of LATE_FILES) {
    if (!existsSync(path.join(DIR, "collected", file))) continue;
    for (const line of readFileSync(path.join(DIR, "collected", file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const item = normalizeItem(JSON.parse(line), file);
      const key = item.question.normalize("NFC").trim().toLowerCase();
      if (testQuestions.has(key) || seenLate.has(key)) continue;
      seenLate.add(key);
      late.push(item);
    }
  }
  writeFileSync(path.join(DIR, "dev-late.jsonl"), late.map((i) => JSON.stringify(i)).join("\n") + "\n");
  console.log(`${late.length} late items → eval/dev-late.jsonl (dev only)`);
  process.exit(0);
}

const force = process.argv.includes("--force");
for (const out of ["dev.jsonl", "test.jsonl"]) {
  if (existsSync(path.join(DIR, out)) && !force) {
    console.error(`eval/${out} exists: the split is made once. Use --force only to rebuild it before any answer was seen.`);
    process.exit(2);
  }
}

const items = [];
const seen = new Set();
for (const file of FILES) {
  for (const line of readFileSync(path.join(DIR, "collected", file), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const item = normalizeItem(JSON.parse(line), file);
    const key = item.question.normalize("NFC").trim().toLowerCase();
    if (seen.has(key)) continue; // the same published question found twice
    seen.add(key);
    items.push(item);
  }
}

const random = mulberry32(SEED);
const strata = new Map();
for (const item of items) {
  const key = `${item.topic}/${item.expect}`;
  if (!strata.has(key)) strata.set(key, []);
  strata.get(key).push(item);
}
const dev = [];
const test = [];
let odd = 0;
for (const key of [...strata.keys()].sort()) {
  const group = strata.get(key);
  for (let i = group.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [group[i], group[j]] = [group[j], group[i]];
  }
  // Half each; an odd group gives its extra item to dev and test in turn.
  const half = Math.floor(group.length / 2) + (group.length % 2 === 1 ? odd++ % 2 : 0);
  test.push(...group.slice(0, half));
  dev.push(...group.slice(half));
}
const byId = (a, b) => a.id.localeCompare(b.id);
const write = (name, list) => {
  const text = list.sort(byId).map((i) => JSON.stringify(i)).join("\n") + "\n";
  writeFileSync(path.join(DIR, name), text);
  return createHash("sha256").update(text).digest("hex");
};
const devHash = write("dev.jsonl", dev);
const testHash = write("test.jsonl", test);
writeFileSync(path.join(DIR, "test.sha256"), `${testHash}  test.jsonl\n`);
console.log(`${items.length} items → dev ${dev.length} (${devHash.slice(0, 12)}), test ${test.length} (${testHash.slice(0, 12)})`);
