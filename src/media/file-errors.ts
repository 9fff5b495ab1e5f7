// A local media file can change after it was checked (another program deletes, renames or truncates it while a
// video is being fitted or before it is served): that is a problem with the input, never a crash.
import { ErrorCode, MediaError } from '../errors/errors.js';

/** The MediaError for a filesystem error on `path` (shown as `name`), or undefined when `err` is about something else. */
export function mediaFileError(err: unknown, name: string, path: string): MediaError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || e.path !== path) return undefined;
  const after = 'after it was checked; nothing was sent';
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') {
    return new MediaError(ErrorCode.MEDIA_NOT_FOUND, `--media ${name}: file not found (removed or renamed ${after})`, { suggestion: RETRY });
  }
  if (e.code === 'EISDIR') return new MediaError(ErrorCode.MEDIA_NOT_A_FILE, `--media ${name}: became a directory ${after}`, { suggestion: RETRY });
  return new MediaError(ErrorCode.MEDIA_UNREADABLE, `--media ${name}: cannot read (${e.code}) ${after}`, { suggestion: RETRY });
}

/** The MediaError for a file whose size changed between the checks and the read (a file still being written). */
export function mediaChangedError(name: string, checked: number, now: number): MediaError {
  return new MediaError(
    ErrorCode.MEDIA_UNREADABLE,
    `--media ${name}: changed while mms was using it (${checked} bytes when checked, ${now} now); nothing was sent`,
    {
      suggestion: RETRY,
    },
  );
}

const RETRY = 'Keep the file in place until mms has finished, then run the command again';
