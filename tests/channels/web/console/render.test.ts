import { describe, expect, it } from "vitest";
import { dayBarChart, horizontalBarChart, niceMax, shareBar } from "../../../../src/channels/web/console/charts.js";
import { escapeHtml, html, raw, safeUrl } from "../../../../src/channels/web/console/html.js";
import { formatDuration } from "../../../../src/channels/web/console/texts.js";
import { questionsByTopic, topicOfDoc } from "../../../../src/channels/web/console/topics.js";
import type { KnowledgeDoc } from "../../../../src/core/knowledge/parse.js";

const doc = (path: string, id: string, topics: string[]) => ({ path, meta: { id, topics } }) as unknown as KnowledgeDoc;

describe("console HTML builder", () => {
  it("should escape every interpolated value but keep nested fragments", () => {
    const evil = `"><img src=x onerror=alert(1)>'&`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(`<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;</p>`);
    expect(html`<ul>${["a<", "b"].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe("<ul><li>a&lt;</li><li>b</li></ul>");
    expect(html`${raw("<br>")}${null}${undefined}${false}${0}`.value).toBe("<br>0");
    expect(escapeHtml("`")).toBe("&#96;");
  });

  it("should only link http(s) URLs", () => {
    expect(safeUrl("https://thuvienphapluat.vn/x")).toBe("https://thuvienphapluat.vn/x");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("data:text/html,x")).toBeNull();
    expect(safeUrl(null)).toBeNull();
  });
});

describe("server-side charts", () => {
  it("should pick round axis maxima", () => {
    expect([0, 1, 3, 7, 12, 48, 101].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 200]);
  });

  it("should draw one bar per day scaled to the axis, with titles, and zero-height bars for empty days", () => {
    const svg = dayBarChart({
      id: "c",
      title: "Câu hỏi",
      description: "mô tả",
      primaryLabel: "Câu hỏi",
      secondaryLabel: "Chuyển",
      bars: [
        { label: "01/11", title: "01/11: 10", primary: 10, secondary: 2 },
        { label: "02/11", title: "02/11: 0", primary: 0, secondary: 0 },
      ],
    }).value;
    expect(svg).toMatch(/^<figure class="chart">\s*<svg id="c"[^>]*role="img" aria-labelledby="c-t c-d"/);
    expect(svg.match(/class="bar bar-primary"/g)).toHaveLength(2);
    expect(svg.match(/class="bar bar-secondary"/g)).toHaveLength(1);
    expect(svg).toContain('height="208"');
    expect(svg).toContain('height="0"');
    expect(svg).toContain("<title>01/11: 10</title>");
    expect(svg).not.toMatch(/style=/);
  });

  it("should draw horizontal bars and shares with escaped labels", () => {
    const bars = horizontalBarChart({ id: "h", title: "t", description: "d", unit: "câu", items: [{ label: "Tắt sóng <2G>", value: 4 }, { label: "Khác", value: 1 }] }).value;
    expect(bars).toContain("Tắt sóng &lt;2G&gt;");
    expect(bars.match(/<rect /g)).toHaveLength(2);
    const share = shareBar({ id: "s", title: "t", parts: [{ label: "A", value: 3, className: "bar-primary" }, { label: "B", value: 1, className: "bar-secondary" }] }).value;
    expect(share).toContain('width="540"');
    expect(share).toContain("A: 3 (75%)");
    expect(shareBar({ id: "e", title: "t", parts: [{ label: "A", value: 0, className: "bar-primary" }] }).value).toContain("Chưa có số liệu");
  });
});

describe("question topics", () => {
  it("should take the folder, and for FAQ files the folder their topics point to", () => {
    expect(topicOfDoc(doc("plans/ke-hoach.md", "p", ["ke-hoach"]))).toBe("plans");
    expect(topicOfDoc(doc("2g/lo-trinh.md", "g", ["tat-song-2g"]))).toBe("2g");
    expect(topicOfDoc(doc("faq/tat-song-2g.md", "f1", ["tat-song-2g", "hoi-dap"]))).toBe("2g");
    expect(topicOfDoc(doc("faq/ky-nang-so.md", "f2", ["ky-nang-so", "hoi-dap"]))).toBe("ky-nang-so");
    expect(topicOfDoc(doc("faq/boi-canh-2025.md", "f3", ["bo-may-2025", "hoi-dap"]))).toBe("boi-canh");
    expect(topicOfDoc(doc("faq/khac.md", "f4", ["hoi-dap"]))).toBe("faq");
  });

  it("should add up questions per topic, most asked first", () => {
    const docs = [doc("2g/a.md", "a", ["x"]), doc("faq/tat-song-2g.md", "b", ["tat-song-2g"]), doc("vtci/c.md", "c", ["x"])];
    expect(questionsByTopic([{ docId: "a", questions: 2 }, { docId: "b", questions: 3 }, { docId: "c", questions: 4 }, { docId: "gone", questions: 1 }], docs)).toEqual([
      { topic: "2g", label: "Tắt sóng 2G", questions: 5 },
      { topic: "vtci", label: "Viễn thông công ích, hỗ trợ điện thoại", questions: 4 },
      { topic: "other", label: "Khác", questions: 1 },
    ]);
  });

  it("should format durations the way staff read them", () => {
    expect([45, 60, 185, 600].map(formatDuration)).toEqual(["45 giây", "1 phút", "3 phút 05 giây", "10 phút"]);
  });
});
