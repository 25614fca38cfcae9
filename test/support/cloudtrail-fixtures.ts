import * as fs from 'node:fs';
import * as path from 'node:path';

/** One CloudTrail record from test/fixtures/cloudtrail (see its README for provenance rules). */
export interface CloudTrailFixture {
  readonly name: string;
  readonly source: string;
  readonly provenance: 'verbatim' | 'corrected' | 'constructed';
  readonly notes: string;
  readonly fieldSources?: Record<string, string>;
  readonly record: Record<string, unknown>;
}

const DIR = path.join(__dirname, '..', 'fixtures', 'cloudtrail');

/** Every fixture, by file name without `.json`. */
export function loadCloudTrailFixtures(): Map<string, CloudTrailFixture> {
  const fixtures = new Map<string, CloudTrailFixture>();
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const name = file.replace(/\.json$/, '');
    fixtures.set(name, { name, ...JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) });
  }
  return fixtures;
}
