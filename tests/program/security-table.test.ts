// Issue 21: the security section is derived, not written. The prod stack with every option on
// (every receiver and integration, a public domain, AMP remote write, EC2 discovery and a restore)
// is rendered under mocks; the per-container and per-role tables are built from that graph
// (tests/helpers/security-table.ts) and must equal the ones in docs/security.md. A change to a
// container's user, capabilities, root filesystem, mounts, socket, metadata access or task limit,
// or to a policy statement, fails here until the doc is regenerated:
//   UPDATE_SECURITY_DOC=1 npx jest tests/program/security-table.test.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramRun, ROOT, runProgram } from "../../harness/mock-program";
import { ALL_SECRETS, DOMAIN_CONFIG, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";
import { SECURITY_TABLE_END, SECURITY_TABLE_START, documentedTables, securityTables } from "../helpers/security-table";

const DOC = path.join(ROOT, "docs", "security.md");
let prog: ProgramRun;
let generated: string;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: {
      ...FULL_PROD_CONFIG,
      ...DOMAIN_CONFIG,
      remoteWrite: "amp",
      ec2Discovery: [{ name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } }],
      restoreFrom: "latest",
    },
    secrets: ALL_SECRETS,
  });
  generated = securityTables(prog);
  if (process.env.UPDATE_SECURITY_DOC === "1") {
    const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, "utf8") : "";
    const current = documentedTables(doc);
    fs.writeFileSync(
      DOC,
      current ? doc.replace(current, generated) : `${doc}${doc.endsWith("\n") || doc === "" ? "" : "\n"}${generated}\n`,
    );
  }
});

test("every option is on: all containers, the roles' policies, and each role-using container", () => {
  const names = prog.byType("docker:index/container:Container").map((c) => String(c.inputs.name));
  for (const c of [
    "prometheus",
    "grafana",
    "loki",
    "backup",
    "backup-restore",
    "caddy",
    "socket-proxy",
    "postgres-exporter",
    "redis-exporter",
    "blackbox-exporter",
  ]) {
    expect(names).toContain(c);
  }
  expect(
    prog
      .byType("aws:iam/rolePolicy:RolePolicy")
      .map((p) => p.name)
      .sort(),
  ).toEqual(["host-amp", "host-ec2-discovery", "host-s3"]);
  expect(generated.match(/instance role \(role address/g)).toHaveLength(5);
});

test("docs/security.md holds the tables built from the rendered prod graph", () => {
  const doc = fs.readFileSync(DOC, "utf8");
  expect(doc).toContain(SECURITY_TABLE_START);
  expect(doc).toContain(SECURITY_TABLE_END);
  expect(documentedTables(doc)).toEqual(generated);
});

test("the builder sees what it reports: a changed container shows in the table", () => {
  const grafana = prog.byType("docker:index/container:Container").find((c) => c.inputs.name === "grafana")!;
  const tampered: ProgramRun = {
    ...prog,
    byType: (type) =>
      prog
        .byType(type)
        .map((r) =>
          r === grafana ? { ...r, inputs: { ...r.inputs, user: "0:0", capabilities: { adds: ["SYS_ADMIN"], drops: ["ALL"] } } } : r,
        ),
  };
  const changed = securityTables(tampered);
  expect(changed).not.toEqual(generated);
  expect(changed).toMatch(/\| grafana \| service \| 0:0 \| SYS_ADMIN \|/);
});
