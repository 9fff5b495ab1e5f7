// Plivo's Media API (reference §3.2): multipart uploads (field `file`, ≤2 MB each) whose media_ids
// can be sent, the upload list and one upload, and the uploaded files served unauthenticated.
import { createHash, randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../../types.js';
import { json } from '../../types.js';
import { route, type Route } from '../../router.js';
import { ACCEPTED_TYPES, apiId, list, mediaUrl, methodNotAllowed, plivoError, plivoTime, type PlivoContext, type Upload } from './context.js';
import { keptBytes } from '../kept.js';

const MAX_UPLOAD = 2 * 1024 * 1024;

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parses a multipart/form-data body (RFC 7578); undefined when it is malformed. */
function parseMultipart(body: Buffer, contentType: string): Part[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const next = body.indexOf(delim, pos);
    if (next < 0) return undefined;
    let part = body.subarray(pos, next);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) return undefined;
    const head = part.subarray(0, sep).toString('utf8');
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) return undefined;
    const filename = /content-disposition:[^\r\n]*\bfilename="([^"]*)"/i.exec(head)?.[1];
    const ct = /^content-type:\s*([^\r\n;]+)/im.exec(head)?.[1]?.trim().toLowerCase();
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(ct ? { contentType: ct } : {}), data: part.subarray(sep + 4) });
    pos = next;
  }
}

/** An uploaded file as the Media API renders it. */
export function uploadJson(ctx: PlivoContext, u: Upload): Record<string, unknown> {
  return {
    content_type: u.content_type,
    file_name: u.file_name,
    media_id: u.media_id,
    media_url: mediaUrl(ctx, u.media_id),
    size: u.size,
    upload_time: plivoTime(u.upload_time),
  };
}

function upload(ctx: PlivoContext, req: SandboxRequest): SandboxResponse {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.toLowerCase().startsWith('multipart/form-data')) return plivoError(400, 'the upload must be multipart/form-data with the file(s) in field "file"');
  const parts = parseMultipart(req.rawBody, ct);
  if (!parts) return plivoError(400, 'malformed multipart/form-data body');
  const files = parts.filter((p) => p.name === 'file');
  if (files.length === 0) return plivoError(400, 'no file found in field "file"');
  if (files.length > 10) return plivoError(400, 'at most 10 files can be uploaded per request');
  const objects = files.map((f) => {
    const fileName = f.filename ?? 'file';
    const contentType = f.contentType ?? 'application/octet-stream';
    if (f.data.length > MAX_UPLOAD)
      return { file_name: fileName, status: 'error', status_code: 400, error: `file size ${f.data.length} bytes exceeds the 2 MB limit` };
    if (!ACCEPTED_TYPES.test(contentType)) return { file_name: fileName, status: 'error', status_code: 400, error: `unsupported content type ${contentType}` };
    const u: Upload = {
      media_id: randomUUID(),
      file_name: fileName,
      content_type: contentType,
      size: f.data.length,
      sha256: createHash('sha256').update(f.data).digest('hex'),
      data: Buffer.from(f.data),
      upload_time: new Date().toISOString(),
    };
    ctx.uploads.set(u.media_id, u);
    ctx.svc.log(`plivo media ${u.media_id} uploaded (${fileName}, ${u.size} bytes)`);
    return { ...uploadJson(ctx, u), status: 'success', status_code: 201 };
  });
  return json(202, { api_id: apiId(), objects });
}

/** The uploaded files themselves, outside the authenticated API (like media.plivo.com). */
export function publicMediaRoutes(ctx: PlivoContext): Route[] {
  return [
    route(['GET', 'HEAD'], '/media/:account/:id', async (req, p) => {
      const u = p.account === ctx.authId ? ctx.uploads.get(p.id!) : undefined;
      const data = u?.data ?? (await keptBytes(ctx.svc.store, u?.sha256))?.bytes;
      if (!u || !data) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
      return { status: 200, headers: { 'content-type': u.content_type }, body: req.method === 'HEAD' ? '' : data };
    }),
  ];
}

/** Routes below the account path. */
export function mediaRoutes(ctx: PlivoContext): Route[] {
  const base = `${ctx.accountPath}/Media/`;
  return [
    route('POST', base, (req) => upload(ctx, req)),
    route('GET', base, (req) =>
      json(
        200,
        list(
          ctx,
          [...ctx.uploads.values()].map((u) => uploadJson(ctx, u)),
          req,
        ),
      ),
    ),
    route('*', base, () => methodNotAllowed()),
    route('GET', `${base}:id/`, (_req, p) => {
      const u = ctx.uploads.get(p.id!);
      return u ? json(200, { api_id: apiId(), ...uploadJson(ctx, u) }) : plivoError(404, 'not found');
    }),
  ];
}
