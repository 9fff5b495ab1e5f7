// Step 5, host or upload media: local files are uploaded (providers with an upload API) or served
// from a local server the provider can reach (loopback for the sandbox, else a tunnel or a URL the
// user exposes). The same server carries the --wait receipt route.
import { CliError, ErrorCode, InputError } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { mediaChangedError, mediaFileError } from '../../media/file-errors.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import type { PublicEndpoint } from '../../webhook/endpoint.js';
import type { SendRun } from './types.js';

/** The media every message carries. */
export interface HostedMedia {
  mediaUrls: string[];
  /** Ids from the provider's upload API. */
  mediaIds: string[];
  /** Tokens of the files this run serves, with their names (to wait until the provider has fetched them). */
  served: Array<{ token: string; name: string }>;
}

/** Opens the local server when local files need a URL or --wait needs a receipt route; else undefined. */
export async function openReach(run: SendRun, providerBaseUrl: string, onMediaFetched: () => void): Promise<PublicEndpoint | undefined> {
  const { request, adapter, events } = run;
  const localFiles = run.plan.media.filter((m) => m.kind === 'file');
  if (!((localFiles.length > 0 && adapter.capabilities.mediaTransport === 'url') || request.waitSeconds !== undefined)) return undefined;
  const { tunnel, publicUrl, tunnelHost } = request.reach;
  const isExplicit = tunnel !== undefined || publicUrl !== undefined;
  try {
    return await run.ports.openEndpoint({
      port: 0,
      ...(tunnel !== undefined ? { tunnel } : {}),
      ...(publicUrl !== undefined ? { publicUrl } : {}),
      ...(tunnelHost !== undefined ? { tunnelHost } : {}),
      providerBaseUrl,
      whenUnspecified: 'auto',
      server: { onMediaFetched },
      ...(events.note ? { note: (line: string) => events.note?.(line) } : {}),
    });
  } catch (err) {
    // No way to publish local files: that is a problem with the input as given (nothing sent).
    if (!isExplicit && localFiles.length > 0 && err instanceof CliError && err.exitCode === ExitCode.USAGE) {
      const shown = sanitizeForTerminal(localFiles[0]!.input);
      throw new InputError(
        ErrorCode.MEDIA_NEEDS_PUBLIC_URL,
        `--media ${shown}: ${adapter.displayName} fetches media from a public URL, and no tunnel is available to publish local files (${err.message}); ` +
          'nothing was sent',
        {
          suggestion:
            'Pass the media as a public https:// URL, or make local files reachable: ' +
            '--public-url <https-url>, NGROK_AUTHTOKEN (+ @ngrok/ngrok), or cloudflared on PATH',
        },
      );
    }
    throw err;
  }
}

/** Serves or uploads each local file once; every recipient's message shares the result. */
export async function hostMedia(run: SendRun, endpoint: PublicEndpoint | undefined): Promise<HostedMedia> {
  const { adapter, call } = run;
  const hosted: HostedMedia = { mediaUrls: run.plan.media.filter((m) => m.kind === 'url').map((m) => m.url!), mediaIds: [], served: [] };
  for (const f of run.plan.media.filter((m) => m.kind === 'file')) {
    // Read once: every recipient's fetch is served from this copy.
    const data = await readChecked(run, f);
    const fileName = f.fileName ?? 'media';
    if (adapter.capabilities.mediaTransport === 'url') {
      const route = endpoint!.server.addMediaFile({ path: f.path!, contentType: f.contentType!, size: data.length, fileName, data });
      hosted.served.push({ token: route.token, name: sanitizeForTerminal(f.input) });
      hosted.mediaUrls.push(`${endpoint!.publicUrl}${route.routePath}`);
    } else if (adapter.uploadMedia) {
      hosted.mediaIds.push(await adapter.uploadMedia({ path: f.path!, fileName, contentType: f.contentType!, size: data.length }, call));
    }
  }
  return hosted;
}

/** Reads a local file for serving or upload; a file deleted or rewritten since it was checked is a MediaError, not a crash. */
async function readChecked(run: SendRun, f: SendRun['plan']['media'][number]): Promise<Buffer> {
  const name = sanitizeForTerminal(f.input);
  let data: Buffer;
  try {
    data = await run.ports.readFile(f.path!);
  } catch (err) {
    throw mediaFileError(err, name, f.path!) ?? err;
  }
  // The size was checked against the provider's limits (and the fit budget): what is sent must be what was checked.
  if (f.size !== undefined && data.length !== f.size) throw mediaChangedError(name, f.size, data.length);
  return data;
}
