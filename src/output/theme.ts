// The only chalk importer. chalk ignores NO_COLOR (chalk/supports-color#74), so we build our own
// instance with the level io.ts decided.
import type { ChalkInstance } from 'chalk';

export interface Theme {
  error: (s: string) => string;
  warn: (s: string) => string;
  success: (s: string) => string;
  id: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
  number: (s: string) => string;
}

/** A theme with no color, without loading chalk (fast path for piped output). */
export const PLAIN_THEME: Theme = {
  error: (s) => s,
  warn: (s) => s,
  success: (s) => s,
  id: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
  number: (s) => s,
};

/** Semantic colors for one stream (chalk is loaded only when color is on). */
export async function createTheme(color: boolean): Promise<Theme> {
  if (!color) return PLAIN_THEME;
  const { Chalk } = await import('chalk');
  const c: ChalkInstance = new Chalk({ level: 1 });
  return {
    error: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    success: (s) => c.green(s),
    id: (s) => c.cyan(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    number: (s) => c.magenta(s),
  };
}
