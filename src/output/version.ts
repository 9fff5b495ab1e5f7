// What `mms --version` prints: the version and where it runs, from facts the process already has
// (no module loaded, no file read: the fast path in bin/mms.js stays fast).

/** `mms 0.1.0 (node v20.19.0, linux-x64)`. */
export function versionLine(version: string): string {
  return `mms ${version} (node ${process.version}, ${process.platform}-${process.arch})`;
}
