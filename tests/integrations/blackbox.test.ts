// blackbox.yml: the http_2xx module the probe job names, accepted by the real exporter.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as yaml from "js-yaml";
import { renderBlackboxConfig } from "../../integrations/blackbox";
import { TOOLS_BIN, tempDir } from "../helpers/tools";

test("defines the http_2xx module over IPv4 first, following redirects", () => {
  const doc = yaml.load(renderBlackboxConfig()) as {
    modules: Record<string, { prober: string; timeout: string; http: Record<string, unknown> }>;
  };
  expect(Object.keys(doc.modules)).toEqual(["http_2xx"]);
  expect(doc.modules.http_2xx.prober).toBe("http");
  expect(doc.modules.http_2xx.timeout).toBe("10s");
  expect(doc.modules.http_2xx.http).toMatchObject({ preferred_ip_protocol: "ip4", follow_redirects: true });
});

test("the real blackbox_exporter accepts the file (--config.check)", () => {
  const file = path.join(tempDir("blackbox"), "blackbox.yml");
  fs.writeFileSync(file, renderBlackboxConfig());
  const r = spawnSync(path.join(TOOLS_BIN, "blackbox_exporter"), [`--config.file=${file}`, "--config.check"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/error/i);
  expect(r.status).toBe(0);
});
