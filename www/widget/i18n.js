// The widget's words come from the word tables (crate/src/words/LANG.json: one per language,
// which the ladder and the inspector read too); tools/build-wasm.sh writes each table's part
// for the widget into pkg/words/. This file picks the table a page's `lang` asks for, turns its
// templates into functions, `t.cannot({ host, what, why })`, and formats the numbers they take.
import TABLES from "../pkg/words/index.js";

/** `{name}` in a template, replaced by `values.name`. */
const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

const wrap = (value) => {
  if (typeof value !== "string") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)]));
  return value.includes("{") ? (values = {}) => fill(value, values) : value;
};

const WORDS = Object.fromEntries(Object.entries(TABLES).map(([lang, table]) => [lang, wrap(table)]));

/** The words for a `lang` attribute: `zh`, `zh-CN`, `zh_TW`... find `zh`; anything else, English. */
export function strings(lang) {
  const primary = String(lang ?? "").split(/[-_]/)[0].toLowerCase();
  return WORDS[primary] ?? WORDS.en;
}

export const formatSeconds = (us) => `${(us / 1e6).toFixed(us < 10e6 ? 3 : 1)} s`;
export const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** A sentence from a clause: its first letter capitalised (a no-op in Chinese). */
export const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);
