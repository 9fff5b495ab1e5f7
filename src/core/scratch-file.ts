// A private scratch file for data too large to keep in memory (`mms send`'s copy of a recipient
// list, `--json`'s results): a 0600 file in a fresh 0700 directory under `dir`, removed from the
// directory as soon as it is open (POSIX), so only this process's descriptor keeps it and even
// kill -9 leaves nothing behind. Errors are thrown as they come: callers name them for the user.
import { closeSync, mkdtempSync, openSync, read, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const readAsync = promisify(read);

/** One scratch file (see the module comment). */
export class ScratchFile {
  private fd: number | undefined;
  /** Set where an open file cannot be unlinked: the directory is removed on close instead. */
  private leftover: string | undefined;

  /** Opens `<dir>/<prefix>XXXXXX/<name>`; throws the file system's error when it cannot. */
  constructor(dir: string, prefix: string, name: string) {
    let made: string | undefined;
    try {
      made = mkdtempSync(join(dir, prefix));
      const path = join(made, name);
      this.fd = openSync(path, 'wx+', 0o600);
      try {
        unlinkSync(path);
        rmdirSync(made);
      } catch {
        this.leftover = made;
      }
    } catch (err) {
      if (made !== undefined && this.fd === undefined) rmSync(made, { recursive: true, force: true });
      throw err;
    }
  }

  /** Whether it is still open. */
  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Appends all of `buf` (`write` is injected in tests to play a full disk); throws the file system's error. */
  append(buf: Buffer, write: typeof writeSync = writeSync): void {
    if (this.fd === undefined) return;
    for (let off = 0; off < buf.length;) off += write(this.fd, buf, off, buf.length - off);
  }

  /** A positioned read (pread) into `buf`: readers do not share a file position; 0 bytes once closed. */
  async readAt(buf: Buffer, position: number): Promise<number> {
    if (this.fd === undefined) return 0;
    return (await readAsync(this.fd, buf, 0, buf.length, position)).bytesRead;
  }

  /** Closes and forgets the file (idempotent). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.leftover !== undefined) rmSync(this.leftover, { recursive: true, force: true });
    this.leftover = undefined;
  }
}
