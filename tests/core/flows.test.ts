import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import {
  FLOW_TIMEOUT_MS,
  SMARTPHONE_FLOW_ID,
  TWO_G_FLOW_ID,
  createFlows,
  createKnowledgeLookup,
  findFlow,
  isCancel,
  isExpired,
  parseFlowState,
  resolveOption,
  runFlowStep,
  type Flow,
  type FlowResult,
  type FlowState,
  type KnowledgeLookup,
} from "../../src/core/flows/index.js";
import { displayUnit, quoteUnits } from "../../src/core/flows/knowledge-lookup.js";
import type { Chunk } from "../../src/core/knowledge/chunk.js";
import { buildKnowledgeBase } from "../../src/core/knowledge/base.js";
import { readKnowledgeFolder } from "../../src/storage/knowledge-folder.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

const TT14 = "tt14-2022-ho-tro-dien-thoai";
const PHONES = "dien-thoai-sau-khi-tat-2g";
const SWAP = "ho-tro-doi-may-2g-len-4g";
const ROADMAP = "lo-trinh-tat-song-2g";
const S9 = "9. Hỗ trợ điện thoại thông minh sau năm 2025";
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const nfd = (s: string) => s.normalize("NFD");

let chunks: readonly Chunk[];
let lookup: KnowledgeLookup;
let flows: Flow[];

beforeAll(async () => {
  ({ chunks } = buildKnowledgeBase(await readKnowledgeFolder(KNOWLEDGE_DIR)));
  lookup = createKnowledgeLookup(chunks);
  flows = createFlows(lookup);
});

function flow(id: string): Flow {
  const f = findFlow(flows, id);
  if (!f) throw new Error(`no flow ${id}`);
  return f;
}

/** Walks a flow from its start, typing the 1-based number of each chosen option as a resident would. */
function walk(flowId: string, choices: readonly string[]): { results: FlowResult[]; last: FlowResult } {
  let result = flow(flowId).start(T0);
  const results = [result];
  choices.forEach((choice, i) => {
    const state = result.state;
    if (!state) throw new Error(`flow ended before choice ${choice}`);
    const position = result.reply.options.findIndex((o) => o.id === choice);
    if (position < 0) throw new Error(`"${choice}" is not offered at step ${state.step}`);
    result = runFlowStep(flows, state, String(position + 1), T0 + (i + 1) * 1000);
    results.push(result);
  });
  return { results, last: result };
}

/** The quoted lines ("- unit [n]") of a reply, with their source numbers. */
function quotedLines(text: string): Array<{ text: string; n: number }> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("- "))
    .map((line) => {
      const m = /^- (.*) \[(\d+)\]$/u.exec(line);
      if (!m) throw new Error(`quoted line without a source number: ${line}`);
      return { text: m[1] as string, n: Number(m[2]) };
    });
}

/** Every quoted line is the knowledge's own text, from the section its [n] cites. */
function expectQuotedFromKnowledge(result: FlowResult): void {
  const { text, sources } = result.reply;
  const lines = quotedLines(text);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const source = sources[line.n - 1];
    expect(source, `source [${line.n}] of "${line.text}"`).toBeDefined();
    const units = chunks.filter(
      (c) => c.docId === source?.id && (c.section === source.section || c.section.startsWith(`${source.section} › `)),
    );
    expect(units.some((c) => displayUnit(c.text) === line.text), `"${line.text}" is a unit of ${source?.id} › ${source?.section}`).toBe(true);
  }
  // Every listed source is used by at least one line.
  expect(new Set(lines.map((l) => l.n)).size).toBe(sources.length);
}

/** The flow's own words (not quoted lines) state no numbers or dates, apart from the option labels' date and network names. */
function expectNoOwnFacts(text: string): void {
  const own = text
    .split("\n")
    .filter((line) => !line.startsWith("- "))
    .join("\n")
    .replace(/12\/12\/2022/g, "")
    .replace(/\b[2-5]G\b/g, "");
  expect(own).not.toMatch(/\d/);
}

function expectOutcome(result: FlowResult): void {
  expect(result.state).toBeNull();
  expect(result.reply.options).toEqual([]);
  expect(result.reply.sources.length).toBeGreaterThan(0);
  // About six quoted units; an uncertain answer may add one checking step.
  expect(quotedLines(result.reply.text).length).toBeLessThanOrEqual(7);
  expectQuotedFromKnowledge(result);
  expectNoOwnFacts(result.reply.text);
}

type SmartphoneEnd = "not-poor" | "tablet" | "bought-before" | "package" | "cash";

const SMARTPHONE_PATHS: Array<{ path: string[]; end: SmartphoneEnd }> = [
  { path: ["khong"], end: "not-poor" },
  ...["ho-ngheo", "ho-can-ngheo", "chua-ro"].flatMap((household) => [
    { path: [household, "co"], end: "tablet" as const },
    ...["khong", "khong-nho"].flatMap((device) => [
      { path: [household, device, "da-mua"], end: "cash" as const },
      { path: [household, device, "mua-truoc"], end: "bought-before" as const },
      { path: [household, device, "chua-mua"], end: "package" as const },
    ]),
  ]),
];

const CASH_UNIT = "đã tự mua điện thoại thông minh (điện thoại cảm ứng) được hỗ trợ tiền 500.000 đồng";
const PACKAGE_UNIT = "Với gói hỗ trợ kết hợp, hộ nhận một chiếc điện thoại thông minh kèm hỗ trợ dùng dịch vụ điện thoại di động.";
const CERTIFICATE = "mang giấy chứng nhận hộ nghèo hoặc hộ cận nghèo đến Ủy ban nhân dân xã";

describe("smartphone-support flow: every path to every end", () => {
  it("should cover 22 distinct paths", () => {
    expect(SMARTPHONE_PATHS).toHaveLength(22);
    expect(new Set(SMARTPHONE_PATHS.map((p) => p.path.join(">"))).size).toBe(22);
  });

  it.each(SMARTPHONE_PATHS)("should end $path.0 > $path.1 > $path.2 with the $end outcome", ({ path, end }) => {
    const { results, last } = walk(SMARTPHONE_FLOW_ID, path);
    // Irrelevant steps are skipped: every intermediate reply is a question, the last one the outcome.
    for (const r of results.slice(0, -1)) {
      expect(r.state).not.toBeNull();
      expect(r.reply.options.length).toBeGreaterThan(1);
    }
    expectOutcome(last);
    const { text, sources } = last.reply;

    // The programme-ended note is in every outcome, and so is whom to ask.
    expect(text).toContain("31/12/2025 và nay đã kết thúc");
    expect(text).toContain("sau năm 2025 theo các quy định mới, chi tiết chưa rõ");
    expect(text).toContain("Ủy ban nhân dân xã");
    expect(sources.every((s) => s.id === TT14)).toBe(true);
    expect(sources.map((s) => s.section)).toContain(S9);
    expect(sources[0]?.title).toContain("Thông tư 14/2022");

    expect(text.includes(CASH_UNIT)).toBe(end === "cash");
    expect(text.includes(PACKAGE_UNIT)).toBe(end === "package");
    if (end !== "cash" && end !== "bought-before") expect(text).not.toContain("500.000");
    expect(text.includes(CERTIFICATE)).toBe(end === "cash" || end === "package" || end === "bought-before");

    switch (end) {
      case "not-poor":
        expect(results).toHaveLength(2);
        expect(text).toContain("Hộ nghèo và hộ cận nghèo là hai loại hộ được Nhà nước hỗ trợ điện thoại thông minh");
        break;
      case "tablet":
        expect(results).toHaveLength(3);
        expect(text).toContain('"Sóng và máy tính cho em" thì không được hỗ trợ điện thoại thông minh');
        expect(sources.map((s) => s.section)).toContain("7. Hộ đã nhận máy tính bảng thì không được nhận thêm điện thoại thông minh");
        break;
      case "bought-before":
        expect(text).toContain("trước ngày 12/12/2022 không thuộc diện được hỗ trợ tiền 500.000 đồng");
        break;
      case "package":
        expect(text).toContain("hộ tự trả phần tiền chênh lệch");
        expect(sources.some((s) => s.section.endsWith("› Gói hỗ trợ kết hợp: nhận điện thoại thông minh kèm cước di động"))).toBe(true);
        break;
      case "cash":
        expect(text).toContain("từ ngày 12/12/2022 trở về sau");
        expect(text).toContain("hộ tự chịu phần tiền chênh lệch");
        expect(sources.some((s) => s.section.endsWith("› Hộ đã tự mua điện thoại thông minh có được hỗ trợ tiền không"))).toBe(true);
        break;
    }
    if (end !== "not-poor" && end !== "tablet") {
      expect(text.includes("có giấy chứng nhận hộ nghèo hoặc hộ cận nghèo do xã cấp")).toBe(path[0] === "chua-ro");
      expect(text.includes("vì hộ đã nhận thì không được hỗ trợ điện thoại")).toBe(path[1] === "khong-nho");
      // A resident sure of both answers is told what is still unknown about the form that applies.
      if ((end === "cash" || end === "package") && path[0] !== "chua-ro" && path[1] !== "khong-nho") {
        expect(text).toContain("chưa được xác minh");
      }
    }
  });
});

type TwoGCase = { name: string; path: string[]; includes: string[]; excludes: string[]; docs: string[] };

const TWO_G_PATHS: TwoGCase[] = [
  {
    name: "2G-only keypad",
    path: ["2g-only"],
    includes: ["khóa hai chiều từ 0 giờ ngày 16/10/2024", "không gọi đi được và cũng không nhận được cuộc gọi", "sau ngày 15/9/2026", "cần đổi sang máy 4G có VoLTE", "cửa hàng của nhà mạng"],
    excludes: ["9/2028", "mất khả năng gọi điện"],
    docs: [PHONES, SWAP],
  },
  {
    name: "4G keypad",
    path: ["4g-keypad"],
    includes: ["máy 4G không có VoLTE mất khả năng gọi điện", "mốc tắt hẳn 2G theo lộ trình đã qua", "không biết máy mình có VoLTE hay không", "để hỏi chương trình hỗ trợ hiện nay"],
    excludes: ["16/10/2024", "9/2028"],
    docs: [PHONES, ROADMAP, SWAP],
  },
  {
    name: "4G smartphone",
    path: ["smartphone-4g"],
    includes: ["không cần đến mạng 2G", "3G dự kiến dừng vào tháng 9/2028", "SIM"],
    excludes: ["16/10/2024", "mất khả năng gọi điện"],
    docs: [PHONES],
  },
  ...(["2g-only", "4g-keypad", "smartphone-4g"] as const).map((phone) => ({
    name: `unknown, then ${phone}`,
    path: ["unknown", phone],
    includes: [] as string[],
    excludes: [] as string[],
    docs: [] as string[],
  })),
  {
    name: "unknown, then still unknown",
    path: ["unknown", "still-unknown"],
    includes: ["mang điện thoại đến cửa hàng của nhà mạng", "để hỏi chương trình hỗ trợ hiện nay", "đã qua"],
    excludes: ["16/10/2024"],
    docs: [PHONES, SWAP, ROADMAP],
  },
];

describe("2G phone-check flow: every path to every end", () => {
  it.each(TWO_G_PATHS)("should end $name with the right outcome", ({ path, includes, excludes, docs }) => {
    const { last } = walk(TWO_G_FLOW_ID, path);
    expectOutcome(last);
    const { text, sources } = last.reply;
    for (const fact of includes) expect(text).toContain(fact);
    for (const fact of excludes) expect(text).not.toContain(fact);
    if (docs.length) expect([...new Set(sources.map((s) => s.id))].sort()).toEqual([...docs].sort());
  });

  it("should give the same outcome for a phone picked after “không rõ” as picked directly", () => {
    for (const phone of ["2g-only", "4g-keypad", "smartphone-4g"]) {
      const direct = walk(TWO_G_FLOW_ID, [phone]).last.reply;
      const after = walk(TWO_G_FLOW_ID, ["unknown", phone]).last.reply;
      expect(after).toEqual(direct);
    }
  });

  it("should answer “không rõ” with how to find out, then offer the phone types again", () => {
    const { last } = walk(TWO_G_FLOW_ID, ["unknown"]);
    expect(last.state).toMatchObject({ flow: TWO_G_FLOW_ID, step: "phone-again", answers: { phone: "unknown" } });
    expect(last.reply.text).toContain("tqc.gov.vn/2g-only");
    expect(last.reply.text).toContain("đọc kỹ tin nhắn");
    expect(last.reply.text).toContain("chưa được xác minh");
    expect(last.reply.options.map((o) => o.id)).toEqual(["2g-only", "4g-keypad", "smartphone-4g", "still-unknown"]);
    expect(last.reply.sources.every((s) => s.id === PHONES)).toBe(true);
    expectQuotedFromKnowledge(last);
  });

  it("should mention the smartphone-support flow for phones that must be replaced, only", () => {
    const hint = "Kiểm tra hỗ trợ điện thoại thông minh";
    expect(walk(TWO_G_FLOW_ID, ["2g-only"]).last.reply.text).toContain(hint);
    expect(walk(TWO_G_FLOW_ID, ["4g-keypad"]).last.reply.text).toContain(hint);
    expect(walk(TWO_G_FLOW_ID, ["smartphone-4g"]).last.reply.text).not.toContain(hint);
  });
});

describe("createFlows", () => {
  it("should list both flows with ids and menu titles", () => {
    expect(flows.map((f) => [f.id, f.title])).toEqual([
      [SMARTPHONE_FLOW_ID, "Kiểm tra hỗ trợ điện thoại thông minh"],
      [TWO_G_FLOW_ID, "Kiểm tra điện thoại khi tắt sóng 2G"],
    ]);
  });

  it("should start each flow with a question, options and a fresh state", () => {
    const s = flow(SMARTPHONE_FLOW_ID).start(T0);
    expect(s.state).toEqual({ flow: SMARTPHONE_FLOW_ID, step: "household", answers: {}, updatedAt: T0 });
    expect(s.reply.options.map((o) => o.id)).toEqual(["ho-ngheo", "ho-can-ngheo", "khong", "chua-ro"]);
    expect(s.reply.sources).toEqual([]);
    const g = flow(TWO_G_FLOW_ID).start(T0);
    expect(g.state).toEqual({ flow: TWO_G_FLOW_ID, step: "phone", answers: {}, updatedAt: T0 });
    expect(g.reply.options.map((o) => o.id)).toEqual(["2g-only", "4g-keypad", "smartphone-4g", "unknown"]);
  });

  it("should fail at creation when the knowledge lacks a section a flow quotes", () => {
    const without = chunks.filter((c) => !(c.docId === TT14 && c.section === S9));
    expect(() => createFlows(createKnowledgeLookup(without))).toThrow(AppError);
    try {
      createFlows(createKnowledgeLookup(without));
    } catch (err) {
      expect((err as AppError).code).toBe("KNOWLEDGE_INVALID");
    }
  });

  it("should fail at creation when a quoted unit is gone from its section", () => {
    const without = chunks.filter((c) => !(c.docId === PHONES && c.text.includes("16/10/2024")));
    expect(() => createFlows(createKnowledgeLookup(without))).toThrow(/matches 0 units/);
  });
});

describe("resolveOption", () => {
  const household = () => flow(SMARTPHONE_FLOW_ID).start(T0).reply.options;
  const device = () => walk(SMARTPHONE_FLOW_ID, ["ho-ngheo"]).last.reply.options;
  const bought = () => walk(SMARTPHONE_FLOW_ID, ["ho-ngheo", "khong"]).last.reply.options;
  const phone = () => flow(TWO_G_FLOW_ID).start(T0).reply.options;

  it.each([
    ["1", "ho-ngheo"],
    ["2", "ho-can-ngheo"],
    [" 3 ", "khong"],
    ["4.", "chua-ro"],
    ["5", null],
    ["0", null],
    ["Hộ cận nghèo", "ho-can-ngheo"],
    ["hộ cận nghèo", "ho-can-ngheo"],
    ["HỘ CẬN NGHÈO", "ho-can-ngheo"],
    ["ho can ngheo", "ho-can-ngheo"],
    [nfd("Hộ cận nghèo"), "ho-can-ngheo"],
    [nfd("HỘ NGHÈO"), "ho-ngheo"],
    ["cận nghèo", "ho-can-ngheo"],
    ["ngheo", null],
    ["Không phải", "khong"],
    ["khong", "khong"],
    ["chưa rõ", "chua-ro"],
    ["chua ro!", "chua-ro"],
    ["xổ số", null],
    ["", null],
  ] as const)("should map %j at the household step to %j", (input, expected) => {
    expect(resolveOption(household(), input)).toBe(expected);
  });

  it.each([
    ["có", "co"],
    ["co", "co"],
    ["Có, đã nhận", "co"],
    ["không", "khong"],
    ["Không, chưa nhận", "khong"],
    ["chua nhan", "khong"],
    ["không nhớ", "khong-nho"],
    ["KHONG NHO", "khong-nho"],
    [nfd("Không nhớ"), "khong-nho"],
  ] as const)("should map %j at the tablet step to %j", (input, expected) => {
    expect(resolveOption(device(), input)).toBe(expected);
  });

  it.each([
    ["đã mua", "da-mua"],
    ["da mua", "da-mua"],
    ["mua trước ngày 12/12/2022", "mua-truoc"],
    ["mua truoc", "mua-truoc"],
    ["chưa mua", "chua-mua"],
    ["12/12/2022", null],
  ] as const)("should map %j at the bought step to %j", (input, expected) => {
    expect(resolveOption(bought(), input)).toBe(expected);
  });

  it.each([
    ['Máy bàn phím chỉ có 2G ("cục gạch")', "2g-only"],
    ["may ban phim chi co 2g", "2g-only"],
    ["cục gạch", "2g-only"],
    ["cuc gach", "2g-only"],
    ["Máy bàn phím 4G", "4g-keypad"],
    ["dien thoai thong minh 4g", "smartphone-4g"],
    ["cảm ứng", "smartphone-4g"],
    ["4G", null],
    ["không rõ", "unknown"],
    ["khong ro", "unknown"],
  ] as const)("should map %j at the phone step to %j", (input, expected) => {
    expect(resolveOption(phone(), input)).toBe(expected);
  });
});

describe("isCancel", () => {
  it.each(["hủy", "huy", "Hủy", "HỦY BỎ", "huy bo", nfd("hủy bỏ"), "thoát", "thoat.", "/menu", "Menu", "menu", "0", " 0 "])(
    "should treat %j as cancel",
    (input) => {
      expect(isCancel(input)).toBe(true);
    },
  );

  it.each(["1", "không", "hủy đăng ký sim", "menu 2g", "00", ""])("should not treat %j as cancel", (input) => {
    expect(isCancel(input)).toBe(false);
  });
});

/** Every state a resident can be asked a question in, with the flow's reply there. */
function intermediateStates(): Array<{ name: string; result: FlowResult }> {
  return [
    { name: "smartphone step 1", result: walk(SMARTPHONE_FLOW_ID, []).last },
    { name: "smartphone step 2", result: walk(SMARTPHONE_FLOW_ID, ["ho-ngheo"]).last },
    { name: "smartphone step 3", result: walk(SMARTPHONE_FLOW_ID, ["chua-ro", "khong-nho"]).last },
    { name: "2G phone", result: walk(TWO_G_FLOW_ID, []).last },
    { name: "2G phone again", result: walk(TWO_G_FLOW_ID, ["unknown"]).last },
  ];
}

describe("runFlowStep", () => {
  it.each(["hủy", "huy", "thoát", "/menu", "0"])("should cancel at every step on %j", (word) => {
    for (const { name, result } of intermediateStates()) {
      const state = result.state as FlowState;
      const r = runFlowStep(flows, state, word, state.updatedAt + 1000);
      expect(r.state, name).toBeNull();
      expect(r.reply.text, name).toMatch(/^Đã hủy/);
      expect(r.reply.text, name).toContain("menu");
      expect(r.reply.options, name).toEqual([]);
      expect(r.reply.sources, name).toEqual([]);
    }
  });

  it("should repeat the question with the same options and the state unchanged on input it cannot match", () => {
    for (const { name, result } of intermediateStates()) {
      const state = result.state as FlowState;
      for (const input of ["abc", "7", "ngheo", "4g"]) {
        const r = runFlowStep(flows, state, input, state.updatedAt + 1000);
        if (resolveOption(result.reply.options, input) !== null) continue;
        expect(r.state, `${name} / ${input}`).toBe(state);
        expect(r.reply.options, name).toEqual(result.reply.options);
        expect(r.reply.text, name).toContain("chưa hiểu");
        const question = result.reply.text.split("\n\n").at(-1) as string;
        expect(r.reply.text.endsWith(question), name).toBe(true);
      }
    }
  });

  it("should stamp each new state with the time of the step", () => {
    const start = flow(SMARTPHONE_FLOW_ID).start(T0);
    const r = runFlowStep(flows, start.state as FlowState, "1", T0 + 60_000);
    expect(r.state).toEqual({ flow: SMARTPHONE_FLOW_ID, step: "device", answers: { household: "ho-ngheo" }, updatedAt: T0 + 60_000 });
  });

  it("should expire a flow after 30 minutes without an answer and offer to start again", () => {
    expect(FLOW_TIMEOUT_MS).toBe(30 * 60 * 1000);
    for (const { name, result } of intermediateStates()) {
      const state = result.state as FlowState;
      expect(isExpired(state, state.updatedAt + FLOW_TIMEOUT_MS - 1)).toBe(false);
      expect(isExpired(state, state.updatedAt + FLOW_TIMEOUT_MS)).toBe(true);

      const alive = runFlowStep(flows, state, "1", state.updatedAt + FLOW_TIMEOUT_MS - 1);
      expect(alive.reply.text, name).not.toContain("hết hạn");

      const r = runFlowStep(flows, state, "1", state.updatedAt + FLOW_TIMEOUT_MS);
      expect(r.state, name).toBeNull();
      expect(r.reply.options).toEqual([]);
      expect(r.reply.text).toContain("hết hạn");
      expect(r.reply.text).toContain("30 phút");
      expect(r.reply.text).toContain("làm lại từ đầu");
      expect(r.reply.text).toContain(flow(state.flow).title);
    }
  });

  it("should end with a menu hint for a state of a flow that no longer exists", () => {
    const state: FlowState = { flow: "old-flow", step: "x", answers: {}, updatedAt: T0 };
    const r = runFlowStep(flows, state, "1", T0 + 1000);
    expect(r.state).toBeNull();
    expect(r.reply.text).toContain("menu");
  });

  it("should start over at the first question for a state of a step that no longer exists", () => {
    const state: FlowState = { flow: SMARTPHONE_FLOW_ID, step: "old-step", answers: { household: "ho-ngheo" }, updatedAt: T0 };
    const r = runFlowStep(flows, state, "1", T0 + 1000);
    expect(r.state).toEqual({ flow: SMARTPHONE_FLOW_ID, step: "household", answers: {}, updatedAt: T0 + 1000 });
  });

  it("should accept labels typed without diacritics, in NFD or by number alike", () => {
    const byNumber = walk(SMARTPHONE_FLOW_ID, ["ho-can-ngheo", "khong", "da-mua"]).last;
    let result = flow(SMARTPHONE_FLOW_ID).start(T0);
    for (const input of ["ho can ngheo", nfd("Không, chưa nhận"), "ĐÃ MUA"]) {
      result = runFlowStep(flows, result.state as FlowState, input, T0 + 1000);
    }
    expect(result.reply).toEqual(byNumber.reply);
  });
});

describe("flow state persistence", () => {
  const allPaths = () => [
    ...SMARTPHONE_PATHS.map((p) => ({ flowId: SMARTPHONE_FLOW_ID, path: p.path })),
    ...TWO_G_PATHS.map((p) => ({ flowId: TWO_G_FLOW_ID, path: p.path })),
  ];

  it("should resume every path after a JSON round trip (a restart) with the same result", () => {
    for (const { flowId, path } of allPaths()) {
      const { results } = walk(flowId, path);
      results.slice(0, -1).forEach((result, i) => {
        const state = result.state as FlowState;
        const stored = JSON.parse(JSON.stringify(state)) as unknown;
        const restored = parseFlowState(stored);
        expect(restored).toEqual(state);
        const choice = result.reply.options.findIndex((o) => o.id === path[i]) + 1;
        const now = state.updatedAt + 5000;
        expect(runFlowStep(flows, restored as FlowState, String(choice), now)).toEqual(runFlowStep(flows, state, String(choice), now));
      });
    }
  });

  it("should reject stored values that are not flow states", () => {
    expect(parseFlowState(null)).toBeNull();
    expect(parseFlowState({})).toBeNull();
    expect(parseFlowState({ flow: "x", step: "y", answers: { a: 1 }, updatedAt: 0 })).toBeNull();
    expect(parseFlowState({ flow: "x", step: "y", answers: {}, updatedAt: "0" })).toBeNull();
  });
});

describe("createKnowledgeLookup", () => {
  const SECTION_4 = "4. Hai hình thức hỗ trợ điện thoại thông minh: nhận máy hoặc nhận 500.000 đồng";

  it("should return a section's units in document order with its citation", () => {
    const { units, source } = lookup.section(TT14, S9);
    expect(units).toHaveLength(5);
    expect(units[0]).toContain("31/12/2025");
    expect(source).toEqual({
      id: TT14,
      title: "Hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo (Thông tư 14/2022/TT-BTTTT)",
      section: S9,
      url: "https://giamngheobenvung.vietnamnet.vn/dam-bao-muc-tieu-100-xa-dac-biet-kho-khan-xa-huyen-dao-duoc-truy-nhap-internet-5015409.html",
    });
  });

  it("should include sub-sections for a heading-path prefix, but not match part of a heading", () => {
    const all = lookup.section(TT14, SECTION_4).units;
    const cash = lookup.section(TT14, `${SECTION_4} › Hộ đã tự mua điện thoại thông minh có được hỗ trợ tiền không`).units;
    expect(all.length).toBe(2 + 6 + 10);
    expect(all.slice(-cash.length)).toEqual(cash);
    expect(() => lookup.section(TT14, "4. Hai hình thức")).toThrow(AppError);
  });

  it("should match a section written in NFD or with loose spacing", () => {
    expect(lookup.section(TT14, nfd(`  ${S9} `)).units).toHaveLength(5);
    expect(lookup.section(TT14, `${SECTION_4}›Gói hỗ trợ kết hợp: nhận điện thoại thông minh kèm cước di động`).units).toHaveLength(6);
  });

  it("should throw KNOWLEDGE_INVALID for an unknown document or section", () => {
    for (const call of [() => lookup.section("khong-co", S9), () => lookup.section(TT14, "10. Không có mục này")]) {
      try {
        call();
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe("KNOWLEDGE_INVALID");
      }
    }
  });

  it("should quote exactly one unit per needle and refuse ambiguous or missing needles", () => {
    const [q] = quoteUnits(lookup, TT14, S9, ["nay đã kết thúc"]);
    expect(q?.text).toBe("Chương trình viễn thông công ích theo Quyết định 2269/QĐ-TTg chạy đến hết ngày 31/12/2025 và nay đã kết thúc.");
    expect(q?.source.section).toBe(S9);
    expect(() => quoteUnits(lookup, TT14, S9, ["hộ nghèo"])).toThrow(/matches \d+ units/);
    expect(() => quoteUnits(lookup, TT14, S9, ["không có câu này"])).toThrow(/matches 0 units/);
  });
});
