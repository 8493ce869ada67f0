import type Koa from 'koa';
import type { Context } from 'koa';
import proxyaddr from 'proxy-addr';
import ipaddr from 'ipaddr.js';

/**
 * The address a request comes from, for every per-address limit. Off by default: the TCP peer,
 * whatever `X-Forwarded-For` says, since any client can write that header. Behind a load balancer
 * (docs/deployment.md) every peer is the balancer, so one address would be one shared budget:
 * `trustedProxies.addresses` lists the proxies (addresses or CIDRs) whose `X-Forwarded-For` is
 * believed, and `trustedProxies.hops` how many of them stand in front, so the address is read that
 * many entries from the right of the header and never further (what a client wrote to the left of
 * its own address is ignored). Uses proxy-addr, Express's implementation of the same rule.
 */
export type TrustedProxies = { addresses: string[]; hops: number };

const trustOf = new WeakMap<Koa, (addr: string, i: number) => boolean>();

/** Fails on an address or CIDR that is not one, so configuration can refuse it at start-up. */
export function compileTrust(trusted: TrustedProxies): (addr: string, i: number) => boolean {
  if (!trusted.addresses.length) return () => false;
  const isProxy = proxyaddr.compile(trusted.addresses);
  // i counts from the peer (0) leftwards through X-Forwarded-For: only the first `hops` can be proxies.
  return (addr, i) => i < trusted.hops && isProxy(addr, i);
}

/** Called once by buildApp: the app's requests are read with this setting. */
export function trustProxies(app: Koa, trusted: TrustedProxies): void {
  trustOf.set(app, compileTrust(trusted));
}

const canonical = (addr: string) => ipaddr.process(addr).toString();

export function clientAddress(ctx: Context): string {
  const cached = ctx.state.clientAddress as string | undefined;
  if (cached) return cached;
  const peer = ctx.req.socket.remoteAddress ?? '';
  const trust = trustOf.get(ctx.app) ?? (() => false);
  const found = proxyaddr(ctx.req, trust);
  // A trusted proxy that forwards a malformed header does not make a budget of its own.
  const address = ipaddr.isValid(found) ? canonical(found) : ipaddr.isValid(peer) ? canonical(peer) : peer;
  ctx.state.clientAddress = address;
  return address;
}
