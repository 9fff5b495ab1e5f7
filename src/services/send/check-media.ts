// Step 3, check media (--check-media): a HEAD request per media URL, before anything is sent. What
// the server says fills in the item's type and size (the dry-run plan shows them).
import type { MediaItem } from '../../core/types.js';
import { ErrorCode } from '../../errors/errors.js';
import { typeAllowed } from '../../media/resolve.js';
import { formatBytes } from '../../media/size.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { ProviderAdapter } from '../../providers/types.js';
import type { SendPorts } from './ports.js';
import type { Problem } from './types.js';

/** HEAD-checks every URL item at once; returns the problems found (in the order answers arrive). */
export async function checkMediaUrls(
  items: MediaItem[],
  adapter: Pick<ProviderAdapter, 'name' | 'displayName' | 'capabilities'>,
  ports: Pick<SendPorts, 'head' | 'signal'>,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  await Promise.all(
    items
      .filter((m) => m.kind === 'url')
      .map(async (m) => {
        const problem = await checkOne(m, adapter, ports);
        if (problem) problems.push(problem);
      }),
  );
  return problems;
}

async function checkOne(
  m: MediaItem,
  adapter: Pick<ProviderAdapter, 'name' | 'displayName' | 'capabilities'>,
  ports: Pick<SendPorts, 'head' | 'signal'>,
): Promise<Problem | undefined> {
  const shown = sanitizeForTerminal(m.input);
  const caps = adapter.capabilities;
  try {
    const res = await ports.head(m.url!, adapter.name, ports.signal);
    const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
    const len = Number(res.headers['content-length'] ?? NaN);
    if (res.status >= 400) return { code: ErrorCode.MEDIA_FETCH_FAILED, message: `--media ${shown}: HEAD answered HTTP ${res.status}` };
    if (!type) return { code: ErrorCode.MEDIA_TYPE_UNSUPPORTED, message: `--media ${shown}: the server sends no Content-Type (providers reject such media)` };
    if (!typeAllowed(type, caps.mediaTypes))
      return { code: ErrorCode.MEDIA_TYPE_UNSUPPORTED, message: `--media ${shown}: ${type} is not a type ${adapter.displayName} accepts` };
    m.contentType = type;
    if (!Number.isFinite(len)) return undefined;
    m.size = len;
    if (len > caps.maxFileBytes) {
      return {
        code: ErrorCode.MEDIA_TOO_LARGE,
        message: `--media ${shown}: ${formatBytes(len)} is over ${adapter.displayName}'s ${formatBytes(caps.maxFileBytes)} limit`,
      };
    }
    return undefined;
  } catch (err) {
    return { code: ErrorCode.MEDIA_FETCH_FAILED, message: `--media ${shown}: ${(err as Error).message}` };
  }
}
