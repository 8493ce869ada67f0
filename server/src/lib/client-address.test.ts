import Koa from 'koa';
import request from 'supertest';
import { clientAddress, trustProxies, type TrustedProxies } from './client-address';

const appWith = (trusted: TrustedProxies) => {
  const app = new Koa();
  trustProxies(app, trusted);
  app.use((ctx) => {
    ctx.body = { address: clientAddress(ctx) };
  });
  return request(app.callback());
};
const addressOf = async (trusted: TrustedProxies, forwardedFor?: string) => {
  const r = appWith(trusted).get('/');
  return (await (forwardedFor ? r.set('X-Forwarded-For', forwardedFor) : r)).body.address as string;
};

describe('clientAddress', () => {
  it('when no proxy is trusted (the default), then it is the peer, whatever X-Forwarded-For says; IPv4-mapped peers read as IPv4', async () => {
    expect(await addressOf({ addresses: [], hops: 1 }, '203.0.113.1')).toBe('127.0.0.1');
  });

  it('when the peer is a trusted proxy (by CIDR), then the address is read `hops` entries from the right, never further', async () => {
    expect(await addressOf({ addresses: ['127.0.0.0/8'], hops: 1 }, '192.0.2.1, 203.0.113.1')).toBe('203.0.113.1');
    // Two proxies (a CDN in front of the balancer), both trusted: the second from the right is one of them, the third the client.
    expect(await addressOf({ addresses: ['127.0.0.0/8', '10.0.0.0/8'], hops: 2 }, '192.0.2.1, 203.0.113.1, 10.1.2.3')).toBe('203.0.113.1');
    // A second hop that is not a trusted proxy is the client, however many hops are allowed.
    expect(await addressOf({ addresses: ['127.0.0.0/8'], hops: 2 }, '192.0.2.1, 203.0.113.1')).toBe('203.0.113.1');
  });

  it('when a trusted proxy forwards no header or a malformed one, then the peer is the address', async () => {
    expect(await addressOf({ addresses: ['127.0.0.1'], hops: 1 })).toBe('127.0.0.1');
    expect(await addressOf({ addresses: ['127.0.0.1'], hops: 1 }, 'not-an-address')).toBe('127.0.0.1');
  });
});
