import { describe, expect, it } from 'vitest';
import { checkRequest, checkState, validationRefusal } from '../src/request-check.js';

const expected = { origin: 'http://127.0.0.1:49152', path: '/callback', maxUrlLength: 64 };

describe('checkRequest()', () => {
  it('passes a GET on the callback path, with its full URL on the listened origin', () => {
    const { callback, refusal } = checkRequest('GET', '/callback?code=c&state=s', expected);
    expect(refusal).toBeUndefined();
    expect(callback?.href).toBe('http://127.0.0.1:49152/callback?code=c&state=s');
  });

  it('refuses in a fixed order: too long, not GET, not origin-form, another path', () => {
    const long = `/callback?code=${'c'.repeat(64)}`;
    expect(checkRequest('POST', long, expected).refusal).toMatchObject({ status: 414, close: true });
    expect(checkRequest('POST', '/callback', expected).refusal).toMatchObject({
      status: 405,
      allow: 'GET',
      close: true,
    });
    expect(checkRequest(undefined, '/callback', expected).refusal?.status).toBe(405);
    expect(checkRequest('GET', 'http://evil.example/callback', expected).refusal).toMatchObject({
      status: 400,
      close: false,
    });
    expect(checkRequest('GET', '/favicon.ico', expected).refusal).toMatchObject({
      status: 404,
      close: false,
    });
    expect(checkRequest('GET', '/callback/', expected).refusal?.status).toBe(404);
  });
});

describe('checkState()', () => {
  const state = Buffer.from('the-state');
  const at = (query: string) => new URL(`http://127.0.0.1/callback?${query}`);

  it('passes exactly one state equal to the request one', () => {
    expect(checkState(at('code=c&state=the-state'), state)).toBeUndefined();
  });

  it('refuses a missing, different, longer or repeated state', () => {
    expect(checkState(at('code=c'), state)?.title).toBe('Missing state');
    for (const query of ['state=other-sta', 'state=the-state2', 'state=the-state&state=the-state'])
      expect(checkState(at(query), state)?.title, query).toBe('Unexpected state');
  });
});

describe('validationRefusal()', () => {
  it('boxes what the check threw, on a copy of the URL', () => {
    const callback = new URL('http://127.0.0.1/callback?code=c');
    const thrown = new Error('wrong iss');
    const refusal = validationRefusal((url) => {
      url.searchParams.set('code', 'changed');
      throw thrown;
    }, callback);
    expect(refusal).toEqual({ error: thrown });
    expect(callback.searchParams.get('code')).toBe('c');
    expect(validationRefusal(() => undefined, callback)).toBeUndefined();
    expect(validationRefusal(undefined, callback)).toBeUndefined();
  });
});
