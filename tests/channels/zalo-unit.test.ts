import { Writable } from "node:stream";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createZaloClient } from "../../src/channels/zalo/client.js";
import { parseEvent } from "../../src/channels/zalo/events.js";
import { renderMessages, renderReply, renderSources } from "../../src/channels/zalo/format.js";
import { parseSignatureHeader, signatureHeader, verifySignature, zaloMac } from "../../src/channels/zalo/signature.js";
import { openSqliteStore } from "../../src/storage/sqlite-store.js";
import { APP_ID, APP_SECRET, startFakeZalo } from "../helpers/fake-zalo.js";
import { createHash } from "node:crypto";

describe("signature", () => {
  const raw = '{"app_id":"1234567890123","event_name":"user_send_text","timestamp":"1700000000000","message":{"text":"Xin chào, tôi muốn hỏi"}}';
  const base = { rawBody: raw, timestamp: "1700000000000", appId: "1234567890123", oaSecretKey: "oa-secret", maxAgeMs: 60_000, now: 1_700_000_030_000 };

  it("should be sha256 of app id + raw body + timestamp + OA secret", () => {
    const expected = createHash("sha256").update(`1234567890123${raw}1700000000000oa-secret`).digest("hex");
    expect(zaloMac("1234567890123", raw, "1700000000000", "oa-secret")).toBe(expected);
    expect(signatureHeader("1234567890123", raw, "1700000000000", "oa-secret")).toBe(`mac=${expected}`);
  });

  it("should accept the right mac, in either case, with or without the mac= prefix", () => {
    const mac = zaloMac(base.appId, raw, base.timestamp, base.oaSecretKey);
    expect(verifySignature({ ...base, header: `mac=${mac}` })).toEqual({ ok: true });
    expect(verifySignature({ ...base, header: mac.toUpperCase() })).toEqual({ ok: true });
  });

  it("should refuse a wrong, missing or malformed mac, and a timestamp outside the window", () => {
    const mac = zaloMac(base.appId, raw, base.timestamp, base.oaSecretKey);
    expect(verifySignature({ ...base, header: `mac=${mac.replace(/^./, mac[0] === "a" ? "b" : "a")}` })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature({ ...base, header: undefined })).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature({ ...base, header: "mac=xyz" })).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature({ ...base, header: `mac=${mac}`, timestamp: null })).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature({ ...base, header: `mac=${mac}`, now: 1_700_000_000_000 + 61_000 })).toEqual({ ok: false, reason: "stale" });
    expect(verifySignature({ ...base, header: `mac=${mac}`, now: 1_700_000_000_000 - 61_000 })).toEqual({ ok: false, reason: "stale" });
  });

  it("should hash the body as UTF-8 text exactly as received (NFC and NFD bodies differ)", () => {
    const nfd = raw.normalize("NFD");
    expect(nfd).not.toBe(raw);
    const mac = zaloMac(base.appId, raw, base.timestamp, base.oaSecretKey);
    expect(verifySignature({ ...base, rawBody: nfd, header: `mac=${mac}` })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("should read only a 64-digit hex value from the header", () => {
    expect(parseSignatureHeader(`mac=${"A".repeat(64)}`)).toBe("a".repeat(64));
    expect(parseSignatureHeader(["mac=" + "b".repeat(64)])).toBe("b".repeat(64));
    expect(parseSignatureHeader("mac=" + "b".repeat(63))).toBeNull();
    expect(parseSignatureHeader("sha256=" + "b".repeat(64))).toBeNull();
  });
});

describe("events", () => {
  const text = { app_id: "123", event_name: "user_send_text", timestamp: "1700000000000", sender: { id: "42" }, recipient: { id: "9" }, message: { text: "xin chao", msg_id: "abc" } };

  it("should read a text event's user, id and text", () => {
    expect(parseEvent(text)).toEqual({ ok: true, event: { kind: "text", userId: "42", eventId: "abc", text: "xin chao", at: 1_700_000_000_000 } });
  });

  it("should accept numbers where Zalo sends strings", () => {
    const r = parseEvent({ ...text, timestamp: 1_700_000_000_000, app_id: 123, sender: { id: 42 } });
    expect(r.ok && r.event.kind === "text" && r.event.userId).toBe("42");
  });

  it("should give follow events an id made of user and time, without the raw user id", () => {
    const follow = { app_id: "123", event_name: "follow", timestamp: "1700000000000", follower: { id: "4242424242" }, oa_id: "9" };
    const r = parseEvent(follow);
    expect(r.ok && r.event.kind).toBe("follow");
    const id = r.ok && "eventId" in r.event ? r.event.eventId : "";
    expect(id).toMatch(/^follow:[0-9a-f]{32}$/);
    expect(id).not.toContain("4242424242");
    const again = parseEvent(follow);
    expect(again.ok && "eventId" in again.event && again.event.eventId).toBe(id);
    const later = parseEvent({ ...follow, timestamp: "1700000000001" });
    expect(later.ok && "eventId" in later.event && later.event.eventId).not.toBe(id);
  });

  it("should classify media, echoes and unknown events", () => {
    const media = parseEvent({ ...text, event_name: "user_send_sticker", message: { msg_id: "s1", attachments: [] } });
    expect(media.ok && media.event.kind).toBe("media");
    expect(parseEvent({ app_id: "1", event_name: "oa_send_text", timestamp: "1" })).toEqual({ ok: true, event: { kind: "ignored", name: "oa_send_text" } });
    expect(parseEvent({ app_id: "1", event_name: "user_seen_message", timestamp: "1" })).toEqual({ ok: true, event: { kind: "ignored", name: "user_seen_message" } });
    expect(parseEvent({ app_id: "1", event_name: "something_new", timestamp: "1" })).toEqual({ ok: true, event: { kind: "unknown", name: "something_new" } });
  });

  it.each([
    ["not an object", "hello"],
    ["null", null],
    ["an array", [text]],
    ["no event name", { ...text, event_name: undefined }],
    ["text missing", { ...text, message: { msg_id: "abc" } }],
    ["text not a string", { ...text, message: { msg_id: "abc", text: 5 } }],
    ["empty sender id", { ...text, sender: { id: "" } }],
    ["negative timestamp", { ...text, timestamp: -5 }],
    ["a text of 10,001 characters", { ...text, message: { msg_id: "abc", text: "a".repeat(10_001) } }],
  ])("should reject %s without echoing values", (_label, body) => {
    const r = parseEvent(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).not.toContain("xin chao");
  });
});

describe("rendering", () => {
  const sources = [{ id: "tt14", title: "Thông tư 14/2022/TT-BTTTT", section: "Điều 5", url: "https://example.gov.vn/tt14" }];

  it("should list sources short: each title once, then the numbered sections by their last heading", () => {
    expect(renderSources(sources)).toBe("Nguồn: Thông tư 14/2022/TT-BTTTT\n[1] Điều 5");
    const mixed = [
      { id: "a", title: "Tài liệu A", section: "4. Hai hình thức › Hộ đã tự mua", url: "https://a.example" },
      { id: "b", title: "Tài liệu B", section: "", url: null },
      { id: "a", title: "Tài liệu A", section: "6. Cần làm gì", url: "https://a.example" },
    ];
    expect(renderSources(mixed)).toBe("Nguồn: Tài liệu A\n[1] Hộ đã tự mua\n[3] 6. Cần làm gì\nTài liệu B\n[2]");
    expect(renderSources(mixed)).not.toContain("https://");
    expect(renderSources([])).toBe("");
  });

  it("should split long text at 2,000 characters on sentence ends, with sources and footer last", () => {
    const sentence = "Bà con mang căn cước đến ủy ban xã để được hướng dẫn. ";
    const text = sentence.repeat(90).trim();
    for (const form of [text, text.normalize("NFD")]) {
      const pieces = renderMessages(form, sources, "Gõ 0 để xem menu.");
      expect(pieces.length).toBeGreaterThan(1);
      for (const p of pieces) expect(p.length).toBeLessThanOrEqual(2000);
      for (const p of pieces.slice(0, -1)) expect(p).toMatch(/\.$/);
      expect(pieces.at(-1)).toMatch(/Nguồn: Thông tư 14\/2022\/TT-BTTTT\n\[1\] Điều 5\n\nGõ 0 để xem menu\.$/);
      expect(pieces.join(" ")).toContain("Bà con mang căn cước");
    }
  });

  it("should list a reply's primary choices as numbered lines, leaving out extras meant for buttons, with note and footer last", () => {
    const reply = {
      text: "Bà con gõ số để chọn:",
      list: true,
      choices: [
        { id: "flow:a", label: "Hộ nghèo" },
        { id: "flow:b", label: "Hộ cận nghèo" },
        { id: "flow-cancel", label: "Hủy", secondary: true },
      ],
      sources,
      note: "Câu hỏi đã được chuyển.",
      footer: "Gõ 0 để xem menu.",
    };
    expect(renderReply(reply)).toEqual(["Bà con gõ số để chọn:\n1. Hộ nghèo\n2. Hộ cận nghèo\n\nNguồn: Thông tư 14/2022/TT-BTTTT\n[1] Điều 5\n\nCâu hỏi đã được chuyển.\nGõ 0 để xem menu."]);
    expect(renderReply({ ...reply, text: "Chọn một" })[0]).toMatch(/^Chọn một\n\n1\. Hộ nghèo/);
    // Choices that are not a list are named by the footer only.
    expect(renderReply({ text: "Có.", choices: reply.choices, footer: "Gõ 1 nếu đúng." })).toEqual(["Có.\n\nGõ 1 nếu đúng."]);
  });

  it("should keep a short answer in one message", () => {
    expect(renderMessages("Có.", [], "Gõ 0 để xem menu.")).toEqual(["Có.\n\nGõ 0 để xem menu."]);
  });
});

describe("logs", () => {
  it("should never write tokens or secrets to the log, even on refresh and failures", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    const logger = pino({ level: "trace" }, sink);
    const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-zalo-log-"));
    const store = openSqliteStore({ dataDir, secret: "secret-for-tests-0123456789" });
    const zalo = await startFakeZalo({ refresh: ["seed-refresh-SECRET"] });
    try {
      const c = createZaloClient({ appId: APP_ID, appSecretKey: APP_SECRET, apiBaseUrl: zalo.url, oauthBaseUrl: zalo.url, store, logger, seed: { accessToken: "seed-access-SECRET", refreshToken: "seed-refresh-SECRET" }, retryBaseMs: 1 });
      await c.sendText("1", "x");
      zalo.script.push({ status: 503, body: {} }, { status: 200, body: { error: -230, message: "no interaction" } });
      await c.sendText("1", "y").catch(() => undefined);
      expect(lines.length).toBeGreaterThan(2);
      const all = lines.join("");
      for (const secret of ["seed-access-SECRET", "seed-refresh-SECRET", "access-1", "refresh-1", APP_SECRET]) expect(all).not.toContain(secret);
    } finally {
      store.close();
      await zalo.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
