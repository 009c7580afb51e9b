// The restore settings: which backup this `up` restores, whether it may replace data, and the id
// that makes it run once.
import { checkRestoreFrom, RESTORE_ID_ACCEPTED, RESTORE_ID_PATTERN } from "../../configs/backup-restore";
import { show } from "./checks";
import { Reader } from "./reader";

export interface RestoreSettings {
  readonly from: string;
  readonly overwrite: boolean;
  /** Undefined when restoreId is empty (allowed only without overwrite). */
  readonly id?: string;
}

export function readRestore(r: Reader): RestoreSettings | undefined {
  const from = r.value<string>("restoreFrom", (v) => (v === "" || checkRestoreFrom(v) === undefined ? undefined : `${show(v)} is not accepted; ${checkRestoreFrom(v)}`));
  const overwrite = r.value<boolean>("restoreOverwrite");
  const id = r.value<string>("restoreId", (v) => (v === "" || RESTORE_ID_PATTERN.test(v) ? undefined : `${show(v)} is not accepted; use ${RESTORE_ID_ACCEPTED}`));
  if (from === "") {
    if (overwrite) r.fail("restoreOverwrite", "is true while restoreFrom is empty; set restoreFrom to `latest` or a backup stamp, or remove restoreOverwrite");
    if (id !== "") r.fail("restoreId", "is set while restoreFrom is empty; remove it, or set restoreFrom to the backup to restore");
    return undefined;
  }
  if (overwrite && id === "") {
    r.fail(
      "restoreId",
      `is empty while restoreOverwrite is true; name this restore (${RESTORE_ID_ACCEPTED}): the id is written into each volume, so the overwrite runs once and a later replacement of the restore container leaves the live data alone`,
    );
  }
  return { from, overwrite, ...(id !== "" ? { id } : {}) };
}
