// `npm run render -- <stack> <dir>`: writes every file each container of a committed stack
// receives, by running the real program under mocks (the same code path as `pulumi up`).
// Secret files (uploaded by each service's secrets writer, see components/container.ts) are
// written under their service with a placeholder: their values never leave Pulumi. A `secure:`
// value in the stack file is never decrypted here: the program runs with a labelled stand-in of
// the right form (harness/secret-placeholders.ts), still a secret, so it is redacted too.
// Values the mocks stand in for (generated hashes, bucket suffixes, cloud addresses) are named in
// the tree it prints. The folder is emptied first, but only when it is empty or a previous render
// made it (its MARKER file), so another stack's stale files never sit beside the new ones.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, parseCommand, refuse } from "./lib/args";

export const REDACTED = "<secret: delivered by Pulumi at deploy time>\n";
/** Written last into every folder render fills; its presence is what lets a later render empty the folder. */
export const MARKER = ".npm-run-render.json";

const COMMAND: Command = {
  script: "render",
  synopsis: "<stack> <dir>",
  about:
    "Writes every file each container of the stack receives (configs, rules, dashboards; secret files as\n" +
    "placeholders) under <dir>/<container>/, by running the program under mocks as `pulumi up` would, and\n" +
    "prints the tree it wrote. <dir> must be new, empty, or a folder a previous render wrote (it is emptied\n" +
    "first). Needs no Pulumi CLI, Docker or cloud.",
  args: { stack: "a committed stack: Pulumi.<stack>.yaml (dev, prod)", dir: "the output folder" },
  min: 2,
  max: 2,
};

/** Values that exist only at deploy time; the mocks (harness/mock-program.ts) stand in for them. */
const STAND_INS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\$2[aby]\$\d\d\$mock/, what: "bcrypt hash of a generated password" },
  { pattern: /[a-z0-9.-]+-mock\b/, what: "bucket name (Pulumi adds a random suffix)" },
  { pattern: /\b(203\.0\.113\.10|198\.51\.100\.20|10\.0\.0\.10)\b/, what: "EC2 host address" },
  { pattern: /\b123456789012\b|ws-0mock/, what: "AWS account or workspace id" },
  { pattern: /mock-password-/, what: "generated password" },
];

interface Written {
  readonly file: string;
  readonly label?: string;
}

/** Empties `dir` when render made it; refuses a folder holding anything else. */
function prepare(dir: string): void {
  if (!fs.existsSync(dir)) return (fs.mkdirSync(dir, { recursive: true }), undefined);
  if (!fs.statSync(dir).isDirectory()) refuse(COMMAND, `${dir} is a file, not a folder`);
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes(MARKER)) {
    refuse(COMMAND, `${dir} is not empty and was not written by render (no ${MARKER}); choose a new or empty folder, nothing was changed`);
  }
  for (const e of entries) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
}

function standIns(content: string): string | undefined {
  const found = STAND_INS.filter((s) => s.pattern.test(content)).map((s) => s.what);
  return found.length ? `stand-in: ${found.join("; ")}` : undefined;
}

/** `<container>/` then its files, indented; labels in brackets. */
export function tree(written: readonly Written[]): string {
  const byService = new Map<string, Written[]>();
  for (const w of [...written].sort((a, b) => a.file.localeCompare(b.file))) {
    const [service, ...rest] = w.file.split("/");
    byService.set(service, [...(byService.get(service) ?? []), { ...w, file: rest.join("/") }]);
  }
  const lines: string[] = [];
  for (const [service, files] of byService) {
    lines.push(`${service}/`);
    for (const f of files) lines.push(`  ${f.file}${f.label ? `   [${f.label}]` : ""}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const [stack, dir] = parseCommand(COMMAND).positionals;
  if (!fs.existsSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`))) {
    refuse(COMMAND, `no Pulumi.${stack}.yaml in the project`);
  }
  prepare(dir);
  const { runProgram } = require("../harness/mock-program") as typeof import("../harness/mock-program");
  const { SECRETS_FOR_LABEL } = require("../configs/docker") as typeof import("../configs/docker");
  const program = await runProgram({ stack });
  const written: Written[] = [];
  for (const c of program.byType("docker:index/container:Container")) {
    const uploads = (c.inputs.uploads as { file: string; content?: string }[] | undefined) ?? [];
    const labels = (c.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
    const service = labels.find((l) => l.label === SECRETS_FOR_LABEL)?.value ?? String(c.inputs.name);
    uploads.forEach((u, i) => {
      const secret = c.secretPaths.some((p) => p === "uploads" || p === `uploads[${i}]` || p === `uploads[${i}].content`);
      const dest = path.join(dir, service, u.file);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const content = secret ? REDACTED : (u.content ?? "");
      fs.writeFileSync(dest, content);
      written.push({
        file: path.relative(dir, dest).split(path.sep).join("/"),
        label: secret ? "secret: placeholder, the value is delivered by Pulumi" : standIns(content),
      });
    });
  }
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ writtenBy: "npm run render", stack, files: written }, null, 2) + "\n");
  console.log(`wrote ${written.length} files for stack ${stack} under ${dir}/<container>/:\n${tree(written)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
