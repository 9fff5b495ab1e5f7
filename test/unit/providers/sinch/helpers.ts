import { providerFixture } from '../../../helpers/fake-http.js';

export { fakeHttp, res } from '../../../helpers/fake-http.js';

/** Reads a fixture under test/fixtures/responses/sinch as text. */
export function fixture(name: string): string {
  return providerFixture('sinch', name);
}
