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

/**
 * A stamp's date must exist (20261331T000000Z has the right shape and names no backup ever made)
 * and not lie in the future (no backup can carry it yet: the restore would fail at `up`).
 */
export function restoreStampProblem(stamp: string, now: Date): string | undefined {
  if (stamp === "latest") return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const accepted = "use `latest` or the stamp of a backup that exists (its folder name, e.g. 20261202T050000Z, UTC)";
  if (
    t.getUTCFullYear() !== y ||
    t.getUTCMonth() !== mo - 1 ||
    t.getUTCDate() !== d ||
    t.getUTCHours() !== h ||
    t.getUTCMinutes() !== mi ||
    t.getUTCSeconds() !== s
  ) {
    return `${show(stamp)} is not a real date and time; ${accepted}`;
  }
  if (t.getTime() > now.getTime())
    return `${show(stamp)} is in the future (now is ${now.toISOString()}), so no backup carries it; ${accepted}`;
  return undefined;
}

export function readRestore(r: Reader, now: Date = new Date()): RestoreSettings | undefined {
  const from = r.value<string>("restoreFrom", (v) => {
    if (v === "") return undefined;
    const shape = checkRestoreFrom(v);
    return shape ? `${show(v)} is not accepted; ${shape}` : restoreStampProblem(v, now);
  });
  const overwrite = r.value<boolean>("restoreOverwrite");
  const id = r.value<string>("restoreId", (v) =>
    v === "" || RESTORE_ID_PATTERN.test(v) ? undefined : `${show(v)} is not accepted; use ${RESTORE_ID_ACCEPTED}`,
  );
  if (from === "") {
    if (overwrite)
      r.fail(
        "restoreOverwrite",
        "is true while restoreFrom is empty; set restoreFrom to `latest` or a backup stamp, or remove restoreOverwrite",
      );
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
