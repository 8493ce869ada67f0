import { randomBytes } from 'node:crypto';
import { issueToken, SessionCache, verifyToken } from './sessions';

const key = randomBytes(32);
const USER = '01JBUSER000000000000000000';
const OTHER = '01JBOTHER00000000000000000';

describe('session tokens', () => {
  it('when a token was issued here, then it names its session and user', () => {
    const { sessionId, token } = issueToken(key, USER);
    expect(verifyToken(key, token)).toEqual({ sessionId, userId: USER });
  });

  it('when any part of a token is changed, or another key signed it, then it is refused', () => {
    const { token } = issueToken(key, USER);
    expect(verifyToken(key, `${token.slice(0, 26)}${OTHER}${token.slice(52)}`)).toBeNull();
    expect(verifyToken(key, `${token.slice(0, 94)}${token[94] === 'A' ? 'B' : 'A'}`)).toBeNull();
    expect(verifyToken(key, `${issueToken(key, USER).sessionId}${token.slice(26)}`)).toBeNull();
    expect(verifyToken(randomBytes(32), token)).toBeNull();
    expect(verifyToken(key, token.slice(1))).toBeNull();
  });
});

describe('the session cache of a process', () => {
  const record = (sessionId: string, userId = USER, expiresAt = Date.now() + 60_000) => ({ sessionId, userId, expiresAt, user: { id: userId } });

  it('when a load began before the user was forgotten, then its result is not kept; a load after it is', () => {
    const cache = new SessionCache<{ id: string }>(10_000);
    const before = cache.current;
    cache.forgetUser(USER);
    expect(cache.put(record('S1'), before)).toBe(false);
    expect(cache.get('S1')).toBeNull();
    expect(cache.put(record('S1'), cache.current)).toBe(true);
    expect(cache.get('S1')?.user).toEqual({ id: USER });
  });

  it('when a session or its user is forgotten, then it is read again; other users keep theirs', () => {
    const cache = new SessionCache<{ id: string }>(10_000);
    cache.put(record('S1'), cache.current);
    cache.put(record('S2'), cache.current);
    cache.put(record('S3', OTHER), cache.current);
    cache.forgetSession('S1');
    expect(cache.get('S1')).toBeNull();
    expect(cache.get('S2')).not.toBeNull();
    cache.forgetUser(USER);
    expect(cache.get('S2')).toBeNull();
    expect(cache.get('S3')).not.toBeNull();
  });

  it('when the cache time or the session itself has expired, then the session is read again', () => {
    const cache = new SessionCache<{ id: string }>(10_000);
    cache.put(record('S1'), cache.current);
    cache.put(record('S2', USER, Date.now() + 5_000), cache.current);
    expect(cache.get('S1', Date.now() + 9_000)).not.toBeNull();
    expect(cache.get('S1', Date.now() + 10_001)).toBeNull();
    expect(cache.get('S2', Date.now() + 5_001)).toBeNull();
  });
});
