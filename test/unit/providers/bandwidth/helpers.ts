import { providerFixture } from '../../../helpers/fake-http.js';

export { fakeHttp, res } from '../../../helpers/fake-http.js';

/** Reads a fixture under test/fixtures/responses/bandwidth as text. */
export function fixture(name: string): string {
  return providerFixture('bandwidth', name);
}
