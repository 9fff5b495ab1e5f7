// A small router for the sandbox's dialects and admin API: a method (or '*') and a path pattern
// with named parameters map to a handler; the first matching route wins, so specific routes go
// before catch-alls. Patterns: literal text, `:name` (one path segment, `[^/]+`) and
// `:name(regex)` (any regex, e.g. `:sid(PN[0-9a-f]{32})` or `:rest(.*)`). Parameters are passed
// raw (not URL-decoded): the dialects decode where their provider does, as before the router.
import type { SandboxRequest, SandboxResponse } from './types.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: SandboxRequest, params: RouteParams) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  /** Upper-case methods, or '*' for any. */
  methods: readonly string[] | '*';
  pattern: string;
  handler: RouteHandler;
  /** Match the path case-insensitively (a few providers accept any case). */
  ignoreCase?: boolean;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: RouteParams;
}

export interface Router {
  /** The first route matching the method and path, with its parameters. */
  match(method: string, path: string): RouteMatch | undefined;
  /** Runs the matching route's handler, or `fallback` when none matches. */
  dispatch(req: SandboxRequest, fallback: RouteHandler): Promise<SandboxResponse>;
}

/** One route: `route('GET', '/v2/messages/:id', handler)` or `route(['GET', 'HEAD'], …)`. */
export function route(methods: string | readonly string[], pattern: string, handler: RouteHandler, opts: { ignoreCase?: boolean } = {}): Route {
  const list = typeof methods === 'string' ? (methods === '*' ? '*' : [methods]) : methods;
  return { methods: list === '*' ? '*' : list.map((m) => m.toUpperCase()), pattern, handler, ...(opts.ignoreCase ? { ignoreCase: true } : {}) };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Reads a balanced `( … )` group starting at `start` (an opening parenthesis); returns its inside and end. */
function readGroup(pattern: string, start: number): { inner: string; end: number } {
  let depth = 0;
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { inner: pattern.slice(start + 1, i), end: i + 1 };
  }
  throw new SyntaxError(`unbalanced parenthesis in route pattern ${pattern}`);
}

/** Compiles a pattern to an anchored regex plus its parameter names. */
export function compilePattern(pattern: string, ignoreCase = false): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const ident = pattern[i] === ':' ? IDENT.exec(pattern.slice(i + 1)) : null;
    if (!ident) {
      source += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
      continue;
    }
    const name = ident[0];
    if (names.includes(name)) throw new SyntaxError(`parameter :${name} appears twice in route pattern ${pattern}`);
    names.push(name);
    i += 1 + name.length;
    if (pattern[i] === '(') {
      const group = readGroup(pattern, i);
      // Parameters are read from named groups, so capturing groups inside the regex do no harm.
      source += `(?<${name}>${group.inner})`;
      i = group.end;
    } else {
      source += `(?<${name}>[^/]+)`;
    }
  }
  return { regex: new RegExp(`^${source}$`, ignoreCase ? 'i' : ''), names };
}

/** Builds a router over `routes`, in order. */
export function createRouter(routes: readonly Route[]): Router {
  const compiled: CompiledRoute[] = routes.map((r) => ({ ...r, ...compilePattern(r.pattern, r.ignoreCase) }));
  const match = (method: string, path: string): RouteMatch | undefined => {
    const m = method.toUpperCase();
    for (const r of compiled) {
      if (r.methods !== '*' && !r.methods.includes(m)) continue;
      const found = r.regex.exec(path);
      if (!found) continue;
      const params: RouteParams = {};
      for (const n of r.names) params[n] = found.groups?.[n] ?? '';
      return { route: r, params };
    }
    return undefined;
  };
  return {
    match,
    async dispatch(req, fallback) {
      const found = match(req.method, req.path);
      return found ? found.route.handler(req, found.params) : fallback(req, {});
    },
  };
}
