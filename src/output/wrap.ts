// Word wrapping for people-facing paragraphs (notes under a table) at the terminal's width.

/** Wraps `text` at spaces into lines of at most `width` code points; later lines start with `indent`. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const prefix = lines.length === 0 ? '' : indent;
    const candidate = line === '' ? `${prefix}${word}` : `${line} ${word}`;
    if (line !== '' && [...candidate].length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Lays out `units` (words, or phrases that must stay whole: a URL, a path, "twilio +15557770011,") in
 * lines of at most `width` code points. The first line starts with `first` (a label), later ones with
 * `indent`; units are joined by `sep` and never broken. A unit too long to follow the prefix gets a
 * line of its own, indented only as far as it still fits: it is wider than `width` only when the unit
 * itself is. A unit may start with spaces (wider spacing after the one before): they are dropped
 * where the unit starts a line. With an infinite width this is `first + units.join(sep)`.
 */
export function wrapUnits(units: readonly string[], width: number, first = '', indent = '', sep = ' '): string[] {
  const len = (s: string): number => [...s].length;
  const lines: string[] = [];
  let line = first;
  let started = false;
  for (const spaced of units) {
    if (started && len(line) + len(sep) + len(spaced) <= width) {
      line += sep + spaced;
      continue;
    }
    const unit = spaced.trimStart();
    const prefix = started ? indent : line;
    if (len(prefix) + len(unit) <= width) {
      if (started) lines.push(line);
      line = prefix + unit;
    } else {
      // The label (or the line so far) goes out alone; the unit starts a line, indented as far as it fits.
      if (line.trim() !== '') lines.push(started ? line : line.trimEnd());
      line = ' '.repeat(Math.max(0, Math.min(len(indent), width - len(unit)))) + unit;
    }
    started = true;
  }
  if (started) lines.push(line);
  else if (first.trim() !== '') lines.push(first.trimEnd());
  return lines;
}
