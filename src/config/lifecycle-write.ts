// Writes a config file so that a reader (the controller starting, systemd, a person with an
// editor) only ever sees the old file or the new one, never half of one: a temporary file
// beside it, fsynced, then renamed over it, keeping the old file's permissions.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";

export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let mode = 0o640;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // A new file: readable by the service's group, like the installed one (deploy/install.sh).
  }
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  // The rename itself must reach the disk before we call the change done (a power cut
  // right after would otherwise bring the old file back).
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems do not allow fsync on a directory; the rename is still atomic.
  }
}
