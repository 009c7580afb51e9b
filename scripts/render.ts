// `npm run render -- <stack> <dir>`: writes every file each container of a committed stack
// receives, by running the real program under mocks (the same code path as `pulumi up`).
// Secret files (uploaded by each service's secrets writer, see components/container.ts) are
// written under their service with a placeholder: their values never leave Pulumi. A `secure:`
// value in the stack file is never decrypted here: the program runs with a labelled stand-in of
// the right form (tests/helpers/secret-placeholders.ts), still a secret, so it is redacted too.
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "../tests/helpers/mock-program";
import { SECRETS_FOR_LABEL } from "../configs/docker";

export const REDACTED = "<secret: delivered by Pulumi at deploy time>\n";

async function main(): Promise<void> {
  const [stack, dir] = process.argv.slice(2);
  if (!stack || !dir) {
    console.error("usage: npm run render -- <stack> <output dir>   (stacks: dev, prod)");
    process.exit(2);
  }
  if (!fs.existsSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`))) {
    console.error(`no Pulumi.${stack}.yaml in the project`);
    process.exit(2);
  }
  const program = await runProgram({ stack });
  let count = 0;
  for (const c of program.byType("docker:index/container:Container")) {
    const uploads = (c.inputs.uploads as { file: string; content?: string }[] | undefined) ?? [];
    const labels = (c.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
    const service = labels.find((l) => l.label === SECRETS_FOR_LABEL)?.value ?? String(c.inputs.name);
    uploads.forEach((u, i) => {
      const secret = c.secretPaths.some((p) => p === "uploads" || p === `uploads[${i}]` || p === `uploads[${i}].content`);
      const dest = path.join(dir, service, u.file);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, secret ? REDACTED : (u.content ?? ""));
      count++;
    });
  }
  console.log(`wrote ${count} files for stack ${stack} under ${dir}/<container>/`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
