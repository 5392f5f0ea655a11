/**
 * What the residents' web page shows besides answers, as JSON (GET /api/web/info): the communes
 * for the picker, grouped under the commune they belong to since the 2025 reorganisation, with
 * the old names under them and the offices the knowledge names; and the consent wording, the
 * same notice and choices Telegram and Zalo show. Nothing here is invented: an office address,
 * phone number or opening hours are not in the knowledge, so none is sent.
 */
import type { Commune, CommuneDirectory } from "../../core/knowledge/communes.js";
import { ERROR_CODES } from "../../core/errors.js";
import { CONSENT_LABELS, NOTICE_VERSION, privacyNotice } from "../../core/privacy/notice.js";
import { fold } from "../../core/text/normalize.js";
import { DIALOGUE_TEXTS, TOPICS_LINE } from "../../core/dialogue/texts.js";

/** How the web page tells residents to delete their data (the notice names it). */
export const WEB_DELETE_HOW = "bấm «Xóa dữ liệu của tôi» ở cuối trang";
/** How the web page tells residents to see their data. */
export const WEB_VIEW_HOW = "bấm «Xem dữ liệu của tôi» ở cuối trang";

/** One commune as the picker and the office panel show it. */
export interface CommuneView {
  readonly id: string;
  /** The name the plan uses (the commune before the reorganisation, "Cộng Hòa"). */
  readonly name: string;
  /** "xã Cộng Hòa, huyện Vụ Bản, tỉnh Nam Định". */
  readonly formerUnit: string;
  /** "xã Minh Tân, tỉnh Ninh Bình", or null when the knowledge does not say. */
  readonly currentUnit: string | null;
  /** "xác minh", "xác minh một phần", "chưa xác minh", or null. */
  readonly currentUnitStatus: string | null;
  /** The offices the commune's plan names as focal points (names only). */
  readonly offices: readonly string[];
  /** Folded names and aliases, for searching without diacritics. */
  readonly search: string;
  readonly sources: ReadonlyArray<{ readonly name: string; readonly url: string | null; readonly date: string | null }>;
}

/** The communes that belong to one current commune (the picker's <optgroup>). */
export interface CommuneGroup {
  /** "Xã Minh Tân, tỉnh Ninh Bình" (or the commune's own name when its current unit is unknown). */
  readonly label: string;
  readonly communes: readonly CommuneView[];
}

export interface WebInfo {
  /** The configured commune (COMMUNE): the picker's default. */
  readonly defaultCommune: string;
  readonly groups: readonly CommuneGroup[];
  readonly consent: {
    readonly noticeVersion: string;
    /** The privacy notice, plain text, one paragraph per line. */
    readonly notice: string;
    readonly agree: string;
    readonly decline: string;
    /** Why "Hỏi cán bộ xã" asks for consent. */
    readonly why: string;
  };
  /** Said when a question went to the officials' queue. */
  readonly staffQueued: string;
  readonly topics: string;
}

const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

export function communeView(c: Commune): CommuneView {
  const names = [c.name, c.former_unit, c.current_unit ?? "", ...c.aliases];
  return {
    id: c.id,
    name: c.name,
    formerUnit: c.former_unit,
    currentUnit: c.current_unit ?? null,
    currentUnitStatus: c.current_unit_status ?? null,
    offices: [...c.focal_offices],
    search: [...new Set(names.map((n) => fold(n).trim()).filter(Boolean))].join(" | "),
    sources: c.sources.map((s) => ({ name: s.name, url: s.url ?? null, date: s.date ?? null })),
  };
}

/** The communes grouped by the commune they belong to now, in the order of communes.yaml. */
export function communeGroups(directory: CommuneDirectory): CommuneGroup[] {
  const groups = new Map<string, CommuneView[]>();
  for (const c of directory.all) {
    const label = c.current_unit ? capitalize(c.current_unit) : `Xã ${c.name}`;
    const list = groups.get(label) ?? [];
    list.push(communeView(c));
    groups.set(label, list);
  }
  return [...groups].map(([label, communes]) => ({ label, communes }));
}

export function webInfo(o: { communes: CommuneDirectory; defaultCommune: string; retentionDays: number; controller: string }): WebInfo {
  return {
    defaultCommune: o.defaultCommune,
    groups: communeGroups(o.communes),
    consent: {
      noticeVersion: NOTICE_VERSION,
      notice: privacyNotice({ retentionDays: o.retentionDays, controller: o.controller, deleteHow: WEB_DELETE_HOW, viewHow: WEB_VIEW_HOW }),
      agree: CONSENT_LABELS.agree,
      decline: CONSENT_LABELS.decline,
      why: ERROR_CODES.CONSENT_REQUIRED,
    },
    staffQueued: DIALOGUE_TEXTS.answerQueuedNote,
    topics: TOPICS_LINE,
  };
}
