import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { WebhookDeliveryError, WebhookUrlNotAllowedError } from './webhooks.errors';

/** How long registration waits for DNS before accepting a name it could not resolve (delivery checks again). */
const REGISTRATION_LOOKUP_TIMEOUT_MS = 2000;

/**
 * Whether an address is one the public internet routes: ipaddr.js' `unicast` range only (an IPv4-mapped IPv6
 * address is judged as its IPv4 address). Loopback, private (RFC 1918, unique local), link-local (the cloud
 * metadata service at 169.254.169.254), carrier-grade NAT, multicast, unspecified, documentation, NAT64/6to4/Teredo
 * translations (which can embed a private IPv4 address) and every other reserved range are not.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** The URL's host as an address or a name (without an IPv6 literal's brackets). */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** `localhost` and its subdomains are loopback by definition (RFC 6761), whatever DNS says. */
const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/**
 * The SSRF guard of webhooks. By default an endpoint must be `https` and its host must be, and resolve only to,
 * public addresses: checked at registration, and again at every delivery through {@link lookup}, the resolver
 * the HTTP client connects with, so that the connection goes to the very address that was checked (a rebinding
 * DNS cannot answer a public address to the check and a private one to the connection).
 * `WEBHOOK_ALLOW_PRIVATE_NETWORKS=true` lifts both rules, for development and tests.
 */
@Injectable()
export class WebhookAddressGuard {
  readonly allowPrivateNetworks: boolean;

  constructor(config: AppConfig) {
    this.allowPrivateNetworks = config.webhooks.allowPrivateNetworks;
  }

  /**
   * Checks an endpoint URL at registration.
   * @returns the URL, normalised (as the WHATWG URL parser writes it)
   * @throws WebhookUrlNotAllowedError
   */
  async checkUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlNotAllowedError('it is not an absolute URL');
    }
    this.checkStatically(url, (reason) => new WebhookUrlNotAllowedError(reason));
    const host = hostOf(url);
    if (!this.allowPrivateNetworks && isIP(host) === 0) {
      const addresses = await resolveForRegistration(host);
      const refused = addresses.find((address) => !isPublicAddress(address.address));
      if (refused) {
        throw new WebhookUrlNotAllowedError(
          `${host} resolves to ${refused.address}, which is not a public address`,
        );
      }
    }
    return url.toString();
  }

  /**
   * Checks a stored endpoint URL just before a delivery: what can be checked without DNS (an address literal
   * never goes through {@link lookup}).
   * @throws WebhookDeliveryError (permanent) when it is refused
   */
  checkDestination(url: URL): void {
    this.checkStatically(url, (reason) => new WebhookDeliveryError('WEBHOOK_ADDRESS_NOT_ALLOWED', reason));
  }

  /**
   * A `dns.lookup` for the HTTP client's connections that fails for a name with any non-public address, so the
   * socket only ever connects to a checked address. Undefined when private networks are allowed.
   */
  get lookup(): LookupFunction | undefined {
    if (this.allowPrivateNetworks) return undefined;
    return (hostname, options, callback) => {
      dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const refused = addresses.find((address) => !isPublicAddress(address.address));
        if (refused || addresses.length === 0) {
          const reason = refused
            ? `${hostname} resolves to ${refused.address}, which is not a public address`
            : `${hostname} has no address`;
          return callback(new WebhookDeliveryError('WEBHOOK_ADDRESS_NOT_ALLOWED', reason), '', 0);
        }
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
  }

  private checkStatically(url: URL, refuse: (reason: string) => Error): void {
    if (url.protocol !== 'https:' && !(this.allowPrivateNetworks && url.protocol === 'http:')) {
      throw refuse(
        this.allowPrivateNetworks ? 'only http and https URLs are allowed' : 'only https URLs are allowed',
      );
    }
    // Credentials in a URL end up in logs and proxies; receivers authenticate the request by its signature.
    if (url.username || url.password) throw refuse('a URL with credentials is not allowed');
    if (this.allowPrivateNetworks) return;
    const host = hostOf(url);
    if (isLocalhostName(host)) throw refuse(`${host} is a loopback name`);
    if (isIP(host) !== 0 && !isPublicAddress(host)) throw refuse(`${host} is not a public address`);
  }
}

/** All addresses of a name, or none when it does not resolve (yet) or DNS does not answer in time. */
function resolveForRegistration(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), REGISTRATION_LOOKUP_TIMEOUT_MS);
    dnsLookup(host, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      resolve(error ? [] : addresses);
    });
  });
}
