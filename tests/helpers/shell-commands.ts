// The commands a shell script runs, read with a real shell parser: mvdan-sh, the JavaScript build
// of mvdan/sh (the parser of shfmt), in POSIX mode, since every script here runs under /bin/sh.
// A command word is taken literally, quotes removed; `"$VAR"` is resolved when the script assigns
// VAR a literal (SQLITE3='sqlite3'); anything else (a word built at run time) is reported as
// unresolved, so a test can refuse it rather than miss a command. Calls of the script's own
// functions and of the shell's builtins are not commands of the image. A function of the script
// that runs `"$@"` (a runner, such as backup.sh's in_child) runs the command its callers name:
// like `exec X`, a call `runner X ...` is read as a call of X, and the `"$@"` itself is not a word
// to resolve.
const { syntax } = require("mvdan-sh") as { syntax: Syntax };

/** The part of mvdan-sh's API used here (its package ships no type declarations). */
interface Syntax {
  NewParser(...options: unknown[]): { Parse(src: string, name: string): ShNode };
  Variant(lang: unknown): unknown;
  LangPOSIX: unknown;
  NodeType(node: ShNode): string;
  Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
}
interface ShNode {
  Pos(): { Line(): number };
  readonly [key: string]: unknown;
}
interface WordNode extends ShNode {
  readonly Parts: ShNode[];
}

/**
 * Builtins of both shells the images have (busybox ash, bash as sh), which need no file in the
 * image: POSIX special and regular builtins, and echo, printf, test, [, kill, which both build in.
 */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  ":",
  ".",
  "[",
  "alias",
  "bg",
  "break",
  "cd",
  "command",
  "continue",
  "echo",
  "eval",
  "exec",
  "exit",
  "export",
  "false",
  "fg",
  "getopts",
  "hash",
  "jobs",
  "kill",
  "local",
  "printf",
  "pwd",
  "read",
  "readonly",
  "return",
  "set",
  "shift",
  "test",
  "times",
  "trap",
  "true",
  "type",
  "ulimit",
  "umask",
  "unalias",
  "unset",
  "wait",
]);

export interface CommandUse {
  readonly command: string;
  readonly line: number;
}

export interface ScriptCommands {
  /** Commands the script runs that must exist in the image (names or absolute paths). */
  readonly commands: CommandUse[];
  /** Command words the parser could not reduce to a literal. */
  readonly unresolved: CommandUse[];
  /** Functions the script defines. */
  readonly functions: string[];
}

function literal(word: WordNode, vars: ReadonlyMap<string, string>): string | undefined {
  let out = "";
  for (const part of word.Parts) {
    const type = syntax.NodeType(part);
    if (type === "Lit" || type === "SglQuoted") out += String(part.Value);
    else if (type === "DblQuoted") {
      const inner = literal(part as unknown as WordNode, vars);
      if (inner === undefined) return undefined;
      out += inner;
    } else if (type === "ParamExp") {
      const param = part.Param as { Value: string } | null;
      const plain = !part.Exp && !part.Repl && !part.Slice && !part.Index && !part.Length && !part.Excl;
      const value = param && plain ? vars.get(param.Value) : undefined;
      if (value === undefined) return undefined;
      out += value;
    } else return undefined;
  }
  return out;
}

/** Whether a word is exactly `"$@"` (or `$@`): the arguments the function was called with. */
function isForwardedArgs(word: WordNode): boolean {
  const parts =
    word.Parts.length === 1 && syntax.NodeType(word.Parts[0]) === "DblQuoted" ? (word.Parts[0] as unknown as WordNode).Parts : word.Parts;
  return parts.length === 1 && syntax.NodeType(parts[0]) === "ParamExp" && (parts[0].Param as { Value: string } | null)?.Value === "@";
}

/** Parses a POSIX sh script (throws on a syntax error) and lists the commands it runs. */
export function scriptCommands(script: string): ScriptCommands {
  const file = syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(script, "script");
  const functions: string[] = [];
  /** Functions that run the command their callers name ("$@"). */
  const runners = new Set<string>();
  const calls: { args: WordNode[]; line: number }[] = [];
  // Literal assignments, for "$VAR" command words; a variable assigned twice differently is unknown.
  const assigned = new Map<string, string | null>();
  syntax.Walk(file, (node) => {
    if (node === null) return true;
    const type = syntax.NodeType(node);
    if (type === "FuncDecl") {
      const name = String((node.Name as { Value: string }).Value);
      functions.push(name);
      syntax.Walk(node.Body as ShNode, (inner) => {
        if (inner !== null && syntax.NodeType(inner) === "CallExpr" && isForwardedArgs((inner.Args as WordNode[])[0] ?? { Parts: [] }))
          runners.add(name);
        return true;
      });
    }
    if (type === "CallExpr") {
      const args = node.Args as WordNode[];
      if (args.length > 0) calls.push({ args, line: node.Pos().Line() });
      for (const a of node.Assigns as { Name: { Value: string }; Value: WordNode | null }[]) {
        const value = a.Value ? literal(a.Value, new Map()) : "";
        const before = assigned.get(a.Name.Value);
        assigned.set(a.Name.Value, value === undefined || (before !== undefined && before !== value) ? null : value);
      }
    }
    return true;
  });
  const vars = new Map<string, string>();
  for (const [k, v] of assigned) if (v !== null) vars.set(k, v);

  const commands: CommandUse[] = [];
  const unresolved: CommandUse[] = [];
  for (const call of calls) {
    let i = 0;
    // `exec X`, `command X` and `<runner> X` run X.
    while (
      i < call.args.length - 1 &&
      (["exec", "command"].includes(literal(call.args[i], vars) ?? "") || runners.has(literal(call.args[i], vars) ?? ""))
    )
      i++;
    if (isForwardedArgs(call.args[i])) continue;
    const word = literal(call.args[i], vars);
    if (word === undefined) {
      unresolved.push({ command: `(word ${i + 1} of the command on line ${call.line})`, line: call.line });
      continue;
    }
    if (functions.includes(word) || SHELL_BUILTINS.has(word)) continue;
    commands.push({ command: word, line: call.line });
  }
  return { commands, unresolved, functions };
}
