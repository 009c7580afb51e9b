// Named thresholds written into text: rule files say `${usedRatio}` (in an expression) or
// `${usedRatio|percent}` (in prose) where a threshold goes, and configs/rules.ts fills in the
// alert's own named value (configs/thresholds.ts, or the integration's module) when it renders
// the file; docs/runbooks.md wraps each stated threshold in a marker that `npm run docs` refreshes
// with the same formats. `${...}` cannot clash with the Go templates of annotations (`{{ }}`),
// PromQL or LogQL. Pure: no file is read here.

/** Every alert's named thresholds, by alert name, then by threshold name. */
export type AlertThresholds = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** A number without floating-point noise (0.05 * 100 is 5.000000000000001). */
function clean(v: number): string {
  return String(Number(v.toPrecision(12)));
}

function plural(v: number, unit: string): string {
  return `${clean(v)} ${unit}${v === 1 ? "" : "s"}`;
}

const SHORT_DURATIONS: readonly (readonly [string, number])[] = [
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
];

const BINARY_UNITS: readonly (readonly [string, number])[] = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
];

/** How a threshold is written: in expressions always the plain number, in prose one of these. */
export const THRESHOLD_FORMATS: Readonly<Record<string, (v: number) => string>> = {
  /** 0.05 → 0.05, 100000 → 100000: what expressions use. */
  number: clean,
  /** Ratio 0.9 → 90%. */
  percent: (v) => `${clean(v * 100)}%`,
  /** Seconds in the largest whole unit: 0.5 → 500ms, 2 → 2s, 10800 → 3h, 1209600 → 14d. */
  duration: (v) => {
    for (const [unit, size] of SHORT_DURATIONS)
      if (v >= size && Number.isInteger(Number((v / size).toPrecision(12)))) return `${clean(v / size)}${unit}`;
    return `${clean(v * 1000)}ms`;
  },
  /** Seconds in words: 120 → 2 minutes. */
  minutes: (v) => plural(v / 60, "minute"),
  /** Seconds in words: 28800 → 8 hours. */
  hours: (v) => plural(v / 3600, "hour"),
  /** Seconds in words: 259200 → 3 days. */
  days: (v) => plural(v / 86400, "day"),
  /** Bytes in the largest whole binary unit: 104857600 → 100 MiB. */
  bytes: (v) => {
    for (const [unit, size] of BINARY_UNITS) if (v >= size && Number.isInteger(v / size)) return `${clean(v / size)} ${unit}`;
    return `${clean(v)} bytes`;
  },
  /** Thousands separated: 100000 → 100,000. */
  count: (v) => v.toLocaleString("en-US", { maximumFractionDigits: 12 }),
  /** One decimal: 2 → 2.0. */
  fixed1: (v) => v.toFixed(1),
  /** Two decimals: 0.9 → 0.90. */
  fixed2: (v) => v.toFixed(2),
};

/** `${name}` or `${name|format}`. */
export const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)(?:\|([A-Za-z0-9]+))?\}/g;

/** A threshold written with a format; throws naming the format and the accepted ones. */
export function formatThreshold(value: number, format: string | undefined, where: string): string {
  const f = THRESHOLD_FORMATS[format ?? "number"];
  if (!f) throw new Error(`${where}: unknown threshold format "${format}"; accepted: ${Object.keys(THRESHOLD_FORMATS).join(", ")}`);
  return f(value);
}

/**
 * `text` with every placeholder replaced by the named threshold it names. Throws naming `where`
 * and the placeholder when the name is not one of `named` (the alert's thresholds), the format is
 * unknown, or a `${` is left that is not a placeholder.
 */
export function fillThresholds(text: string, named: Readonly<Record<string, number>> | undefined, where: string): string {
  const filled = text.replace(PLACEHOLDER, (whole: string, name: string, format: string | undefined) => {
    const value = named?.[name];
    if (value === undefined) {
      const known = Object.keys(named ?? {});
      throw new Error(
        `${where}: ${whole} names no threshold; ${known.length ? `its named thresholds are ${known.join(", ")}` : "it has no named thresholds"} (configs/thresholds.ts or the integration's module)`,
      );
    }
    return formatThreshold(value, format, `${where}: ${whole}`);
  });
  const stray = filled.indexOf("${");
  if (stray >= 0)
    throw new Error(`${where}: "${filled.slice(stray, stray + 30)}" is not a threshold placeholder; write \${name} or \${name|format}`);
  return filled;
}

/** Names used by the placeholders of a text, in order. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
