// Thresholds stated in docs/runbooks.md's prose, each wrapped in a marker that names it:
// `<!-- threshold RedisHighMemory.usedRatio|percent -->90%<!-- /threshold -->` (GitHub shows "90%").
// `npm run docs` rewrites what sits between the markers from the named value, with the formats the
// rule files use (configs/threshold-text.ts), so a threshold changes in one place.
import { AlertThresholds, formatThreshold } from "../../configs/threshold-text";

export const THRESHOLD_MARKER =
  /<!-- threshold ([A-Za-z][A-Za-z0-9]*)\.([A-Za-z][A-Za-z0-9]*)(?:\|([A-Za-z0-9]+))? -->([^<]*)<!-- \/threshold -->/g;

export interface ThresholdMarker {
  readonly alert: string;
  readonly name: string;
  readonly format?: string;
  /** What the page shows now. */
  readonly shown: string;
}

export function thresholdMarkers(text: string): ThresholdMarker[] {
  return [...text.matchAll(THRESHOLD_MARKER)].map((m) => ({ alert: m[1], name: m[2], format: m[3], shown: m[4] }));
}

/** `text` with every marker's content rewritten from the named threshold; throws naming an unknown or unclosed one. */
export function refreshThresholdMarkers(text: string, thresholds: AlertThresholds, file: string): string {
  const opened = [...text.matchAll(/<!-- threshold [A-Za-z0-9]+\.[A-Za-z0-9|]+ -->/g)];
  const closed = new Set([...text.matchAll(THRESHOLD_MARKER)].map((m) => m.index));
  const broken = opened.find((m) => !closed.has(m.index));
  if (broken) {
    const line = text.slice(0, broken.index).split("\n").length;
    throw new Error(`${file}:${line}: ${broken[0]} has no <!-- /threshold --> after its value`);
  }
  return text.replace(THRESHOLD_MARKER, (_whole: string, alert: string, name: string, format: string | undefined) => {
    const value = thresholds[alert]?.[name];
    const marker = `<!-- threshold ${alert}.${name}${format ? `|${format}` : ""} -->`;
    if (value === undefined) {
      const known = Object.keys(thresholds[alert] ?? {});
      throw new Error(`${file}: ${marker} names no threshold; ${alert} has ${known.length ? known.join(", ") : "no named thresholds"}`);
    }
    return `${marker}${formatThreshold(value, format, `${file}: ${marker}`)}<!-- /threshold -->`;
  });
}
