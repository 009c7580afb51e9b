// configs/alloy.ts: pipeline wiring (every reference points at a declared component, every
// component is used), the three stream labels, and string escaping; on the redundant pair, one
// independent pipeline per Loki.
import {
  ALLOY_MEMBER_LABEL,
  ALLOY_STREAM_LABELS,
  LEVEL_ALIASES,
  alloyPipelineLabel,
  alloyString,
  levelTemplate,
  renderAlloyConfig,
} from "../../configs/alloy";

const PUSH = "http://loki:3100/loki/api/v1/push";
const text = renderAlloyConfig({ lokiPushUrls: [PUSH] });
/** Comments removed, so prose cannot satisfy a structural check. */
const code = text.replace(/^\s*\/\/.*$/gm, "");

/** Top-level blocks: `<type> "<label>" {` at column 0. */
function components(src: string): { type: string; label: string; body: string }[] {
  const out: { type: string; label: string; body: string }[] = [];
  const re = /^([a-z_]+(?:\.[a-z_]+)+) "([A-Za-z0-9_]+)" \{$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    // The body runs to the matching closing brace at column 0.
    const end = src.indexOf("\n}", m.index);
    out.push({ type: m[1], label: m[2], body: src.slice(m.index + m[0].length, end) });
  }
  return out;
}

/** References to another component's export: `<type>.<label>.<export>`. */
function references(body: string): { id: string; exp: string }[] {
  const re = /\b((?:discovery|loki|prometheus|otelcol)\.[a-z_]+(?:\.[a-z_]+)*?)\.([A-Za-z0-9_]+)\.(targets|output|rules|receiver)\b/g;
  return [...body.matchAll(re)].map((m) => ({ id: `${m[1]}.${m[2]}`, exp: m[3] }));
}

describe("renderAlloyConfig", () => {
  const comps = components(code);
  const ids = comps.map((c) => `${c.type}.${c.label}`);

  test("declares the five pipeline stages once each", () => {
    expect(comps.map((c) => c.type)).toEqual(["discovery.docker", "discovery.relabel", "loki.source.docker", "loki.process", "loki.write"]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("every reference points at a declared component with that export", () => {
    const exportsOf: Record<string, string[]> = {
      "discovery.docker": ["targets"],
      "discovery.relabel": ["output", "rules"],
      "loki.process": ["receiver"],
      "loki.write": ["receiver"],
    };
    const refs = comps.flatMap((c) => references(c.body));
    expect(refs.length).toBeGreaterThanOrEqual(5);
    for (const r of refs) {
      expect(ids).toContain(r.id);
      const type = r.id.slice(0, r.id.lastIndexOf("."));
      expect(exportsOf[type]).toContain(r.exp);
    }
  });

  test("the chain is wired in order and forward_to targets exist", () => {
    const byType = Object.fromEntries(comps.map((c) => [c.type, c]));
    const refIds = (type: string) => references(byType[type].body).map((r) => `${r.id}.${r.exp}`);
    const docker = `discovery.docker.${byType["discovery.docker"].label}`;
    const relabel = `discovery.relabel.${byType["discovery.relabel"].label}`;
    const proc = `loki.process.${byType["loki.process"].label}`;
    const write = `loki.write.${byType["loki.write"].label}`;

    expect(refIds("discovery.relabel")).toEqual([`${docker}.targets`]);
    expect(refIds("loki.source.docker").sort()).toEqual([`${proc}.receiver`, `${relabel}.output`, `${relabel}.rules`].sort());
    expect(refIds("loki.process")).toEqual([`${write}.receiver`]);

    for (const c of comps) {
      const fwd = /forward_to\s*=\s*\[([^\]]*)\]/.exec(c.body);
      if (!fwd) continue;
      for (const target of fwd[1]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const m = /^(.+)\.receiver$/.exec(target);
        expect(m).not.toBeNull();
        expect(ids).toContain((m as RegExpExecArray)[1]);
      }
    }
  });

  test("docker discovery and tailing go through the socket proxy, never the socket", () => {
    const hosts = [...code.matchAll(/^\s*host\s*=\s*"([^"]*)"/gm)].map((m) => m[1]);
    expect(hosts).toEqual(["tcp://socket-proxy:2375", "tcp://socket-proxy:2375"]);
    expect(text).not.toContain("docker.sock");
    expect(() => renderAlloyConfig({ lokiPushUrls: [PUSH], dockerHost: "http://socket-proxy:2375" })).toThrow(/dockerHost/);
  });

  test("relabel maps the container name (leading / stripped) and the service label", () => {
    const relabel = comps.find((c) => c.type === "discovery.relabel")!.body;
    const rules = [...relabel.matchAll(/rule \{([^}]*)\}/g)].map((m) => m[1]);
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatch(/source_labels\s*=\s*\["__meta_docker_container_name"\]/);
    expect(rules[0]).toMatch(/regex\s*=\s*"\/\?\(\.\*\)"/);
    expect(rules[0]).toMatch(/target_label\s*=\s*"container"/);
    expect(rules[1]).toMatch(/source_labels\s*=\s*\["__meta_docker_container_label_service"\]/);
    expect(rules[1]).toMatch(/target_label\s*=\s*"service"/);
    // The same regex, as Go's RE2 would apply it (anchored).
    const re = new RegExp(`^(?:${"/?(.*)"})$`);
    expect("/prometheus".replace(re, "$1")).toBe("prometheus");
  });

  test("stream labels are exactly container, service and level", () => {
    const targetLabels = [...code.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    const stageLabels = [...code.matchAll(/stage\.labels\s*\{\s*values\s*=\s*\{([^}]*)\}/g)].flatMap((m) =>
      [...m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=/g)].map((x) => x[1]),
    );
    expect([...targetLabels, ...stageLabels].sort()).toEqual([...ALLOY_STREAM_LABELS].sort());
    // No other label-making stage or action.
    expect(code).not.toMatch(/stage\.static_labels|labelmap|external_labels|stage\.label_keep/);
  });

  test("level comes from JSON (level || lvl || severity ...) and is normalised", () => {
    expect(code).toMatch(/stage\.json \{\s*expressions\s*=\s*\{ level = "level \|\| lvl \|\| severity[^"]*" \}/);
    expect(code).toMatch(/stage\.template \{\s*source\s*=\s*"level"/);
    expect(code).toMatch(/stage\.drop \{\s*older_than\s*=\s*"168h"/);
    const t = levelTemplate();
    for (const [canonical, aliases] of Object.entries(LEVEL_ALIASES)) {
      expect(t).toContain(`}}${canonical}`);
      for (const a of aliases) expect(t).toContain(`"${a}"`);
    }
    expect(t.startsWith("{{ with .Value }}{{ $l := ToLower . }}{{ if eq $l ")).toBe(true);
    // The template is embedded escaped, so its quotes do not end the Alloy string.
    expect(code).toContain(`template = ${alloyString(t)}`);
  });

  test("loki.write pushes to the given URL with Alloy's default retries and no extra label", () => {
    expect(code).toMatch(new RegExp(`endpoint \\{\\s*url = "${PUSH.replace(/[.]/g, "\\.")}"\\s*\\}`));
    expect(code).not.toMatch(/max_backoff_retries|external_labels|queue_config/);
  });

  test("braces balance and every string literal is closed", () => {
    const noStrings = code.replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
    expect(noStrings).not.toContain('"""');
    expect((noStrings.match(/\{/g) ?? []).length).toBe((noStrings.match(/\}/g) ?? []).length);
    expect(noStrings.split("\n").every((l) => (l.match(/"/g) ?? []).length % 2 === 0)).toBe(true);
  });

  test("inputs are validated", () => {
    expect(() => renderAlloyConfig({ lokiPushUrls: ["loki:3100"] })).toThrow(/lokiPushUrls/);
    expect(() => renderAlloyConfig({ lokiPushUrls: [] })).toThrow(/lokiPushUrls is empty/);
    expect(() => renderAlloyConfig({ lokiPushUrls: [PUSH, PUSH] })).toThrow(/given twice/);
    expect(() => renderAlloyConfig({ lokiPushUrls: [PUSH], member: 'a" }' })).toThrow(/member/);
    expect(() => renderAlloyConfig({ lokiPushUrls: [PUSH], dropOlderThan: "7 days" })).toThrow(/dropOlderThan/);
  });
});

describe("renderAlloyConfig on the redundant pair (two Lokis)", () => {
  // Alloy v1.18.1 (grafana/alloy internal/component/common/loki/fanout.go): a forward_to with two
  // receivers hands each entry to them one after the other, so a blocked receiver stalls the
  // others; loki.write's own endpoints fan out the same way (client/consumer_fanout.go). The only
  // wiring that keeps one Loki fed while the other is down is a chain per Loki.
  const URLS = ["http://10.0.1.10:3100/loki/api/v1/push", "http://10.0.2.10:3100/loki/api/v1/push"];
  const pairCode = renderAlloyConfig({ lokiPushUrls: URLS, member: "a" }).replace(/^\s*\/\/.*$/gm, "");
  const comps = components(pairCode);
  const ids = comps.map((c) => `${c.type}.${c.label}`);
  const body = (id: string) => comps.find((c) => `${c.type}.${c.label}` === id)!.body;
  const forwards = (id: string) =>
    [...(/forward_to\s*=\s*\[([^\]]*)\]/.exec(body(id)) ?? ["", ""])[1].matchAll(/[\w.]+\.receiver/g)].map((m) => m[0]);

  test("discovery once, then source, process and write once per Loki", () => {
    const labels = URLS.map((_u, i) => alloyPipelineLabel(i));
    expect(labels).toEqual(["containers", "containers_1"]);
    expect(ids).toEqual([
      "discovery.docker.containers",
      "discovery.relabel.containers",
      ...labels.flatMap((l) => [`loki.source.docker.${l}`, `loki.process.${l}`, `loki.write.${l}`]),
    ]);
  });

  test("each chain is closed: no component forwards to more than one receiver, none crosses to the other Loki", () => {
    URLS.forEach((url, i) => {
      const l = alloyPipelineLabel(i);
      expect(forwards(`loki.source.docker.${l}`)).toEqual([`loki.process.${l}.receiver`]);
      expect(forwards(`loki.process.${l}`)).toEqual([`loki.write.${l}.receiver`]);
      const write = body(`loki.write.${l}`);
      expect((write.match(/endpoint \{/g) ?? []).length).toBe(1);
      expect(write).toContain(`url                 = "${url}"`);
      // Both sources read the one discovery (targets and rules); positions stay per source.
      expect(
        references(body(`loki.source.docker.${l}`))
          .map((r) => `${r.id}.${r.exp}`)
          .sort(),
      ).toEqual([`loki.process.${l}.receiver`, "discovery.relabel.containers.output", "discovery.relabel.containers.rules"].sort());
    });
  });

  test("every endpoint retries forever and nothing needs Alloy's experimental stability level", () => {
    for (const l of URLS.map((_u, i) => alloyPipelineLabel(i))) {
      expect(body(`loki.write.${l}`)).toMatch(/endpoint \{[^}]*max_backoff_retries = 0\s*\}/);
    }
    // queue_config and wal are experimental in v1.18.1 (loki.write docs; write.go refuses a
    // changed queue_config without --stability.level=experimental, which the container does not set).
    expect(pairCode).not.toMatch(/queue_config|block_on_overflow|\bwal\b/);
  });

  test("every stream carries the member, so the two hosts' same-named containers stay apart", () => {
    for (const l of URLS.map((_u, i) => alloyPipelineLabel(i))) {
      expect(body(`loki.write.${l}`)).toMatch(new RegExp(`external_labels = \\{ ${ALLOY_MEMBER_LABEL} = "a" \\}`));
    }
    expect(ALLOY_MEMBER_LABEL).toBe("member");
    expect(renderAlloyConfig({ lokiPushUrls: URLS, member: "b" })).toContain(`external_labels = { member = "b" }`);
  });

  test("the first chain renders as on one host but for the retries and the member label", () => {
    const first = (src: string) =>
      src
        .slice(src.indexOf("loki.source.docker"), src.indexOf("loki.source.docker", src.indexOf("loki.write")))
        .replace(/\n\s*\/\/.*$/gm, "")
        .trim();
    const single = renderAlloyConfig({ lokiPushUrls: [URLS[0]] });
    const pair = renderAlloyConfig({ lokiPushUrls: URLS, member: "a" });
    const strip = (t: string) =>
      t
        .replace(/\n\s*max_backoff_retries = 0/, "")
        .replace(/\n\n\s*external_labels = \{[^}]*\}/, "")
        .replace(/url\s+=/, "url =");
    expect(strip(first(pair))).toBe(first(single + "loki.source.docker"));
  });
});

describe("alloyString", () => {
  test.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    ["a\nb\tc\r", '"a\\nb\\tc\\r"'],
    ["\u0001\u007f", '"\\u0001\\u007f"'],
    ["ünïcode ✓", '"ünïcode ✓"'],
  ])("%j", (input, expected) => {
    expect(alloyString(input)).toBe(expected);
    // Alloy's escapes are a subset of JSON's for these cases: the literal reads back unchanged.
    expect(JSON.parse(alloyString(input))).toBe(input);
  });

  test("lone surrogates are refused", () => {
    expect(() => alloyString("x\uD800y")).toThrow(/surrogate/);
  });
});
