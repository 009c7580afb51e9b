// configs/value-checks.ts: values are checked by meaning (numbers with bounds, one release per
// tag, no hidden control characters or template syntax, PromQL that parses), and secrets are
// never echoed in a message.
import {
  MAX_GO_DURATION_MS,
  checkLabelName,
  checkSecretToken,
  checkDurationBetween,
  checkNoTemplate,
  checkPinnedImage,
  checkPostgresDsn,
  checkPromql,
  checkRoutingKey,
  checkSecretUrl,
  checkSize,
  checkUrl,
  durationMs,
  sizeBytes,
} from "../../configs/value-checks";

const S = 1000;

describe("durations", () => {
  test("parse to milliseconds", () => {
    expect(durationMs("1h30m")).toBe(5400 * S);
    expect(durationMs("30d")).toBe(30 * 86400 * S);
    expect(durationMs("1y2w")).toBe((365 + 14) * 86400 * S);
    expect(durationMs("500ms")).toBe(500);
    expect(durationMs("30m1h")).toBeUndefined();
    expect(durationMs("")).toBeUndefined();
    expect(MAX_GO_DURATION_MS).toBe(9223372036854);
  });

  test.each([["15s"], ["1m"], ["5m"], ["1m30s"]])("accepts the scrape interval %s", (v) => {
    expect(checkDurationBetween(v, S, 300 * S)).toBeUndefined();
  });

  test.each([
    ["0s", /is zero/],
    ["0h0m", /is zero/],
    ["0d0h0m0s", /is zero/],
    ["999y", /overflows/],
    ["300y", /overflows/],
    ["500ms", /shorter than 1s/],
    ["1h", /longer than 5m/],
    ["15", /not a duration/],
    ["15 s", /not a duration/],
    ["1.5m", /not a duration/],
    ["30m1h", /not a duration/],
    ["-15s", /not a duration/],
    ["15s\n", /not a duration/],
    [15, /not a duration/],
  ])("refuses %j", (v, why) => {
    expect(checkDurationBetween(v, S, 300 * S)).toMatch(why);
  });
});

describe("sizes", () => {
  test("parse base 2 as Prometheus does", () => {
    expect(sizeBytes("50GB")).toBe(50n << 30n);
    expect(sizeBytes("1TB")).toBe(1n << 40n);
    expect(sizeBytes("50 GB")).toBeUndefined();
  });

  test.each([["50GB"], ["1TB"], ["7EB"], ["1024MB"]])("accepts %s", (v) => {
    expect(checkSize(v)).toBeUndefined();
  });

  test.each([
    ["0GB", /is zero/],
    ["0B", /is zero/],
    ["8EB", /more than Prometheus can represent/],
    ["9999999EB", /more than Prometheus can represent/],
    ["100MB", /too small/],
    ["50G", /not a size/],
    ["50gb", /not a size/],
    ["1.5GB", /not a size/],
    ["-5GB", /not a size/],
    ["", /not a size/],
  ])("refuses %j", (v, why) => {
    expect(checkSize(v)).toMatch(why);
  });
});

describe("images", () => {
  test.each([
    ["prom/prometheus:v3.13.3"],
    ["grafana/grafana:13.2.0"],
    ["caddy:2.11.4"],
    ["caddy:2.11.4-alpine"],
    ["ghcr.io/google/cadvisor:v0.60.6"],
    ["registry.example.com:5000/team/app:1.2.3"],
    [`prom/prometheus@sha256:${"a".repeat(64)}`],
  ])("accepts %s", (v) => {
    expect(checkPinnedImage(v)).toBeUndefined();
  });

  test.each([
    ["grafana/grafana:12", /not major\.minor\.patch/],
    ["grafana/grafana:12.1", /not major\.minor\.patch/],
    ["prom/prometheus:latest-2", /moving tag/],
    ["prom/prometheus:latest", /moving tag/],
    ["prom/prometheus:v3-stable", /moving tag/],
    ["prom/prometheus", /no tag/],
    ["prom/prometheus:", /not an image reference/],
    ["Prom/Prometheus:v3.13.3", /not an image reference/],
    ["prom/prometheus:v3.13.3 ", /not a pinned image/],
    ["prom/prometheus@sha256:abc", /not an image reference/],
    ["", /not a pinned image/],
  ])("refuses %j", (v, why) => {
    expect(checkPinnedImage(v)).toMatch(why);
  });
});

describe("template syntax and control characters", () => {
  test.each([["#alerts-critical"], ["oncall@example.com"]])("accepts %s", (v) => {
    expect(checkNoTemplate(v)).toBeUndefined();
  });
  test.each([['{{ template "x" }}'], ["#alerts-{{ .Status }}"], ["a}}b"], ["#alerts\ncritical"]])("refuses %j", (v) => {
    expect(checkNoTemplate(v)).toMatch(/template syntax|control character/);
  });
});

describe("URLs", () => {
  test.each([["https://example.com/runbooks.md"], ["http://wiki.internal/runbooks"]])("accepts %s", (v) => {
    expect(checkUrl(v)).toBeUndefined();
  });
  test.each([
    ["https://ex\nample.com/x"],
    ["https://example.com/\tx"],
    ["https://example.com/x\u0000"],
    ["https://example.com/{{ .Labels }}"],
    ["ftp://example.com/x"],
    ["example.com/x"],
    ["https://"],
    [""],
  ])("refuses %j", (v) => {
    expect(checkUrl(v)).toBeDefined();
  });
});

describe("secrets are checked without being shown", () => {
  const SECRET = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX";
  test("https receiver URLs", () => {
    expect(checkSecretUrl(SECRET)).toBeUndefined();
    for (const bad of [
      "",
      "   ",
      SECRET.replace("https", "http"),
      `${SECRET}\n`,
      `${SECRET} x`,
      "hooks.slack.com/services/x",
      `${SECRET}{{ x }}`,
    ]) {
      const p = checkSecretUrl(bad);
      expect(p).toBeDefined();
      expect(p).not.toContain("XXXXsecret");
    }
    expect(checkSecretUrl(undefined)).toMatch(/is empty/);
  });

  test("PagerDuty routing keys", () => {
    expect(checkRoutingKey("0123456789abcdef0123456789ABCDEF")).toBeUndefined();
    expect(checkRoutingKey("")).toMatch(/is empty/);
    expect(checkRoutingKey("short-secret-key")).toMatch(/not a PagerDuty/);
    expect(checkRoutingKey("short-secret-key")).not.toContain("short-secret");
  });

  test("Postgres DSNs", () => {
    expect(checkPostgresDsn("postgresql://exporter:pw@db:5432/app?sslmode=require")).toBeUndefined();
    expect(checkPostgresDsn("postgres://exporter@db/app")).toBeUndefined();
    const bad: [string, RegExp][] = [
      ["", /is empty/],
      ["mysql://u:p4ssw0rd@db/app", /postgresql:\/\//],
      ["postgresql://db:5432/app", /names no user/],
      ["postgresql://u:p4ssw0rd@/app", /not a URL|names no host/],
      ["postgresql://u:p4ssw0rd@db:5432/app?sslmode=always", /sslmode/],
      ["postgresql://u:p4ss%zzw0rd@db/app", /%-escapes/],
      ["host=db user=u password=p4ssw0rd", /not a URL|whitespace/],
    ];
    for (const [v, why] of bad) {
      const p = checkPostgresDsn(v);
      expect(p).toMatch(why);
      expect(p).not.toContain("p4ss");
    }
  });
});

describe("PromQL", () => {
  test.each([["sum(rate(http_requests_total[5m]))"], ["up"], ['sum by (job) (increase(signups_total{env="prod"}[1h]))']])(
    "accepts %s",
    (v) => {
      expect(checkPromql(v)).toBeUndefined();
    },
  );
  test.each([["sum(rate(x[5m])"], ["rate(x[5m]"], ["sum by job (x)"], ["x{a=}"], [""], ["1 +"]])("refuses %j", (v) => {
    expect(checkPromql(v)).toMatch(/PromQL/);
  });
  // Where the grammar stopped, what it found there and what it would have taken instead.
  test.each([
    [
      "sum(rate(x[5m])",
      "at line 1, column 16 the grammar found the end of the expression where it expected one of `)`, `,`, `[`, an operator",
    ],
    ["x{a=}", 'at line 1, column 5 the grammar found "}" where it expected a string'],
    ["sum(x) bye (a)", 'at line 1, column 8 the grammar found "bye" where it expected one of `[`, an operator, `by`'],
    ["rate(x[5m])\n  + (y", "at line 2, column 7 the grammar found the end of the expression where it expected one of `)`"],
  ])("says where %j stops and what was expected", (v, message) => {
    expect(checkPromql(v)).toContain(message);
  });
});

describe("checkLabelName (issue 21)", () => {
  test.each([
    ["le", /bucket\/quantile/],
    ["quantile", /bucket\/quantile/],
    ["__name__", /starts with __/],
    ["__meta_x", /starts with __/],
    ["exported_job", /exported_/],
    ["job", /set by the stack/],
    ["tier", /set by the stack/],
    ["1team", /not a label name/],
    ["team-a", /not a label name/],
  ])("refuses %s", (name, why) => {
    expect(checkLabelName(name)).toMatch(why);
  });
  test.each(["team", "level", "quantiles", "_le", "exported", "Le"])("accepts %s", (name) => {
    expect(checkLabelName(name)).toBeUndefined();
  });
});

describe("checkSecretToken (issue 21)", () => {
  test.each([
    [undefined, /is empty/],
    ["", /is empty/],
    ["   ", /only whitespace/],
    ["tok\nen", /line break/],
    ["tok-9\r", /line break/],
    ["tok\u0000en", /control character/],
    ["tok\u200ben", /invisible/],
    [" tok-8", /begins or ends with whitespace/],
  ])("refuses %j without showing it", (value, why) => {
    const p = checkSecretToken(value, "token");
    expect(p).toMatch(why);
    expect(p).toMatch(/not shown/);
    if (value && value.trim()) expect(p).not.toContain(value.trim());
  });
  test("accepts a printable one-line token", () => {
    expect(checkSecretToken("abc-DEF_123.~+/=", "token")).toBeUndefined();
  });
});
