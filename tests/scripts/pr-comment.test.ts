// scripts/pr-comment.sh: posts the review summary once, then edits that same comment on every
// push. A fake `gh` first on PATH records its argv and the body it was given, and answers the
// comment lookup with the ids in FAKE_GH_EXISTING.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "pr-comment.sh");
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-ghc-"));
  fs.writeFileSync(
    path.join(dir, "gh"),
    [
      "#!/bin/bash",
      'printf "%s\\n" "$*" >>"$FAKE_LOG"',
      'for a in "$@"; do case "$a" in body=@*) cat "${a#body=@}" >"$FAKE_LOG.body";; esac; done',
      'case "$*" in *"--paginate"*) printf "%s" "$FAKE_GH_EXISTING";; esac',
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function post(existing: string, extraEnv: Record<string, string> = {}, key = "observability-stack-review") {
  const log = path.join(dir, `log-${Math.random().toString(36).slice(2)}`);
  const md = path.join(dir, "summary.md");
  fs.writeFileSync(md, "### Alerts\n- HighLatencyP95: threshold 0.5 → 0.8\n");
  const r = spawnSync("bash", [SCRIPT, key, md], {
    encoding: "utf8",
    env: {
      PATH: `${dir}:/usr/bin:/bin`,
      FAKE_LOG: log,
      FAKE_GH_EXISTING: existing,
      GITHUB_REPOSITORY: "acme/obs",
      PR_NUMBER: "42",
      ...extraEnv,
    },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  const body = fs.existsSync(`${log}.body`) ? fs.readFileSync(`${log}.body`, "utf8") : "";
  return { status: r.status, stderr: r.stderr, calls, body };
}

const LOOKUP =
  'api --paginate repos/acme/obs/issues/42/comments --jq .[] | select(.body | startswith("<!-- observability-stack-review -->")) | .id';

test("first push: no comment of ours yet, so one is posted, marked for later edits", () => {
  const r = post("");
  expect(r.status).toBe(0);
  expect(r.calls).toEqual([LOOKUP, expect.stringMatching(/^api --method POST repos\/acme\/obs\/issues\/42\/comments -F body=@/)]);
  expect(r.body).toBe("<!-- observability-stack-review -->\n### Alerts\n- HighLatencyP95: threshold 0.5 → 0.8\n");
});

test("later pushes: the earlier comment is edited in place, not duplicated", () => {
  const r = post("1234\n5678\n");
  expect(r.status).toBe(0);
  expect(r.calls).toEqual([LOOKUP, expect.stringMatching(/^api --method PATCH repos\/acme\/obs\/issues\/comments\/1234 -F body=@/)]);
  expect(r.stderr).toContain("updated comment 1234");
});

test("missing or malformed inputs stop before any API call", () => {
  expect(post("", { PR_NUMBER: "42; rm -rf /" }).calls).toEqual([]);
  expect(post("", {}, 'x" --jq bad').status).toBe(2);
  const noRepo = spawnSync("bash", [SCRIPT, "k", "/dev/null"], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin`, PR_NUMBER: "1" } });
  expect(noRepo.status).not.toBe(0);
  expect(noRepo.stderr).toContain("GITHUB_REPOSITORY (owner/name) is not set");
});
