/**
 * The masking rules against the privacy corpus: every identifying number hidden in whatever
 * formatting it was typed, every public or harmless number left as it was.
 */
import { describe, expect, it } from "vitest";
import { MASK_LABEL, maskSensitive } from "../../../src/core/privacy/mask.js";
import { HARMLESS, NEEDLES, SENSITIVE, collapseSeparators, leakedNumbers, needleOf } from "./corpus.js";

const LABELS = Object.values(MASK_LABEL);
const labelCount = (text: string) => LABELS.reduce((n, label) => n + text.split(label).length - 1, 0);

describe("the privacy corpus", () => {
  it("should hold at least 50 questions with identifying numbers of every kind, and harmless ones", () => {
    expect(SENSITIVE.length).toBeGreaterThanOrEqual(50);
    for (const kind of ["phone", "id", "account"] as const) expect(SENSITIVE.filter((s) => s.kind === kind).length).toBeGreaterThanOrEqual(10);
    expect(HARMLESS.length).toBeGreaterThanOrEqual(20);
    // Each case's numbers really are in its text (in some formatting), so the checks below bite.
    for (const s of SENSITIVE) for (const n of s.numbers) expect(collapseSeparators(s.text).replace(/\+?84(?=\d{9}\b)/, "0")).toContain(needleOf(n));
  });

  it("should find a number in any formatting", () => {
    expect(leakedNumbers("goi 0912.345.678")).toContain("912345678");
    expect(leakedNumbers("goi (+84) 912-345-678")).toContain("912345678");
    expect(leakedNumbers("goi 0912345679")).toEqual([]);
  });
});

describe("masking the corpus", () => {
  it.each(SENSITIVE.map((s) => [s.text, s]))("should hide every number in %j", (_text, s) => {
    const masked = maskSensitive(s.text);
    expect(leakedNumbers(masked)).toEqual([]);
    expect(labelCount(masked)).toBeGreaterThanOrEqual(s.numbers.length);
    // Masking twice changes nothing more.
    expect(maskSensitive(masked)).toBe(masked);
  });

  it.each(SENSITIVE.filter((s) => s.numbers.length === 1).map((s) => [s.text, s]))("should name the kind of number hidden in %j", (_text, s) => {
    expect(maskSensitive(s.text)).toContain(MASK_LABEL[s.kind]);
  });

  it.each(HARMLESS.map((t) => [t]))("should leave %j as typed", (text) => {
    expect(maskSensitive(text)).toBe(text);
  });

  it("should keep the words around a number, including diacritics in NFD", () => {
    const nfd = "Số điện thoại của tôi là 0912 888 364".normalize("NFD");
    expect(maskSensitive(nfd)).toBe(`${"Số điện thoại của tôi là ".normalize("NFD")}${MASK_LABEL.phone}`);
    expect(maskSensitive("sdt0773456129 hoi ve qr")).toBe(`sdt${MASK_LABEL.phone} hoi ve qr`);
    expect(maskSensitive("goi 0934123867 0976234519 giup")).toBe(`goi ${MASK_LABEL.phone} ${MASK_LABEL.phone} giup`);
  });

  it("should treat a number that looks like an amount or a date as identifying when a word before it says so", () => {
    expect(maskSensitive("CMT 212.563.874")).toBe(`CMT ${MASK_LABEL.id}`);
    expect(maskSensitive("dân số 212.563.874 người")).toBe("dân số 212.563.874 người");
  });

  it("should finish on long runs of digits and separators", () => {
    const long = "1 ".repeat(5000) + "x" + "0.".repeat(5000);
    expect(typeof maskSensitive(long)).toBe("string");
    expect(NEEDLES.length).toBeGreaterThanOrEqual(50);
  });
});
