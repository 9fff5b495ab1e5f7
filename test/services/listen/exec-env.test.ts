// The --exec hook's variables: event data under MMS_MESSAGE_*, never under a configuration name;
// MMS_FROM (mms send's default sender) is the number that was texted, MMS_PROFILE the listener's.
import { describe, expect, it } from 'vitest';
import { execHookEnv } from '../../../src/webhook/exec-hook.js';

describe('execHookEnv', () => {
  it('puts the event in MMS_MESSAGE_* and makes the texted number the default sender', () => {
    expect(execHookEnv({ id: 'MM1', provider: 'twilio', from: '+1555000111', to: '+1555000222', body: 'hi\nthere' }, ['/a/1.png', '/a/2.jpg'])).toEqual({
      MMS_EVENT: 'message',
      MMS_MESSAGE_PROVIDER: 'twilio',
      MMS_MESSAGE_ID: 'MM1',
      MMS_MESSAGE_FROM: '+1555000111',
      MMS_MESSAGE_TO: '+1555000222',
      MMS_MESSAGE_BODY: 'hi\nthere',
      MMS_MESSAGE_MEDIA: '/a/1.png\n/a/2.jpg',
      MMS_FROM: '+1555000222',
    });
  });

  it("passes the listener's profile; leaves MMS_FROM alone when the recipient is unknown", () => {
    const env = execHookEnv({ id: 'x', provider: 'sinch', from: '+1', to: '', body: '' }, [], { profile: 'work' });
    expect(env.MMS_PROFILE).toBe('work');
    expect(env).not.toHaveProperty('MMS_FROM');
  });
});
