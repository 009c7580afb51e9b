// The review comment: one Markdown document for all stacks. A change seen in every stack is
// printed once; one seen in some stacks only says which. Pure: no Pulumi import.
import { SECTIONS, Section } from "./diff";

/** How a Rollout line that risks data begins (scripts/lib/review/rollout.ts). */
export const DATA_LOSS = "**Data-loss risk**";

export interface StackDiff {
  readonly stack: string;
  readonly sections: readonly Section[];
}

/**
 * The Markdown summary, or "" when no stack changed (the PR workflow then posts nothing).
 * `notes` are stack-level facts (a stack new at the working tree, …) printed before the sections.
 */
export function renderMarkdown(ref: string, diffs: readonly StackDiff[], notes: readonly string[] = []): string {
  const stacks = diffs.map((d) => d.stack);
  const body: string[] = [];
  for (const title of SECTIONS) {
    const seen = new Map<string, string[]>();
    for (const d of diffs) {
      for (const line of d.sections.find((s) => s.title === title)?.lines ?? []) {
        const where = seen.get(line) ?? [];
        where.push(d.stack);
        seen.set(line, where);
      }
    }
    if (seen.size === 0) continue;
    body.push("", `### ${title}`, "");
    for (const [line, where] of seen) body.push(`- ${line}${where.length < stacks.length ? ` (${where.join(", ")} only)` : ""}`);
  }
  if (body.length === 0 && notes.length === 0) return "";
  // Said before anything else: a reviewer skimming the comment must not miss it.
  const dataLoss = diffs.some((d) => d.sections.some((s) => s.lines.some((l) => l.startsWith(DATA_LOSS))));
  return [
    `## Observability stack changes since \`${ref}\``,
    "",
    ...(dataLoss
      ? ["> [!CAUTION]", "> This change replaces or deletes something that holds data: see the data-loss risks under Rollout.", ""]
      : []),
    `Stacks ${stacks.join(", ")} rendered under mocks at \`${ref}\` and at this change.`,
    ...notes.map((n) => `- ${n}`),
    ...body,
    "",
  ].join("\n");
}
