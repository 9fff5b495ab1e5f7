// The TwiML reply parser of the sandbox's Twilio dialect: which <Message> verbs an app's answer holds.
import { describe, expect, it } from 'vitest';
import { parseTwimlMessages } from '../../../../src/sandbox/dialects/twilio/twiml.js';

describe('parseTwimlMessages', () => {
  it('reads text, <Media>, and the to/from/action attributes', () => {
    const doc = `<?xml version="1.0"?><Response><Message to="+15551230001" from='+15557770001' action="http://127.0.0.1:1/s">Hi &amp; bye<Media>http://127.0.0.1:1/a.png</Media></Message></Response>`;
    expect(parseTwimlMessages(doc)).toEqual([
      { to: '+15551230001', from: '+15557770001', action: 'http://127.0.0.1:1/s', body: 'Hi & bye', media: ['http://127.0.0.1:1/a.png'] },
    ]);
  });

  it('reads <Body> and several <Message> verbs, ignores comments and other verbs', () => {
    const doc = `<Response><!-- <Message>no</Message> --><Message><Body>one</Body><Media>http://x/1.png</Media><Media>http://x/2.png</Media></Message><Redirect>/next</Redirect><Message>two</Message><Message/></Response>`;
    expect(parseTwimlMessages(doc)).toEqual([
      { body: 'one', media: ['http://x/1.png', 'http://x/2.png'] },
      { body: 'two', media: [] },
      { body: '', media: [] },
    ]);
  });

  it('finds nothing in an empty response, plain text or JSON', () => {
    expect(parseTwimlMessages('<Response/>')).toEqual([]);
    expect(parseTwimlMessages('')).toEqual([]);
    expect(parseTwimlMessages('<Message>not TwiML</Message>')).toEqual([]);
    expect(parseTwimlMessages('{"ok":true}')).toEqual([]);
  });
});
