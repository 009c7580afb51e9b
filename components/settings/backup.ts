// The restore settings: which backup this `up` restores, and whether it may replace data.
import { checkRestoreFrom } from "../../configs/backup-restore";
import { show } from "./checks";
import { Reader } from "./reader";

export function readRestore(r: Reader): { readonly from: string; readonly overwrite: boolean } | undefined {
  const from = r.value<string>("restoreFrom", (v) => (v === "" || checkRestoreFrom(v) === undefined ? undefined : `${show(v)} is not accepted; ${checkRestoreFrom(v)}`));
  const overwrite = r.value<boolean>("restoreOverwrite");
  if (from === "") {
    if (overwrite) r.fail("restoreOverwrite", "is true while restoreFrom is empty; set restoreFrom to `latest` or a backup stamp, or remove restoreOverwrite");
    return undefined;
  }
  return { from, overwrite };
}
