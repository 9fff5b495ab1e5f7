// The README's Providers table is generated from the descriptors: this fails when either drifts.
// To update the README, paste the "expected" table this test prints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeCapabilityTable } from '../../../src/providers/capability-table.js';
import { allDescriptors } from '../../../src/providers/registry.js';

/** The capability table: the markdown table whose header starts "| provider | media |". */
function readmeTable(): string {
  const lines = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| provider | media |'));
  expect(start, 'README has a "| provider | media |" table').toBeGreaterThanOrEqual(0);
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return lines.slice(start, end).join('\n');
}

describe('README Providers table', () => {
  it('is what the descriptors generate', () => {
    expect(readmeTable()).toBe(readmeCapabilityTable(allDescriptors()));
  });

  it('has a row per provider, in registry order', () => {
    const names = readmeTable()
      .split('\n')
      .slice(2)
      .map((l) => l.split('|')[1]!.trim());
    expect(names).toEqual(allDescriptors().map((d) => d.name));
  });
});
