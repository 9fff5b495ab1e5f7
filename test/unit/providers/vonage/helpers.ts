import { providerFixture } from '../../../helpers/fake-http.js';

export { fakeHttp, res } from '../../../helpers/fake-http.js';

/** Reads a fixture under test/fixtures/responses/vonage as text. */
export function fixture(name: string): string {
  return providerFixture('vonage', name);
}
