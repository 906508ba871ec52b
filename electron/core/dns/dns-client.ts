import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { connect, isIP } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { HoplightError, inputError } from '../errors.js';

/** A resolver address. */
export interface ResolverAddress {
  readonly host: string;
  readonly port: number;
}

/** The answer to one query: the records, and whether the resolver vouched for them with DNSSEC (the AD bit). */
export interface DnsAnswer {
  readonly rcode: string;
  readonly authenticated: boolean;
  readonly answers: readonly dnsPacket.Answer[];
}

/** The queries the posture checks make; tests and the CLI pass a resolver on a loopback port. */
export interface Resolver {
  readonly address: ResolverAddress;
  query(name: string, type: dnsPacket.RecordType): Promise<DnsAnswer>;
}

/** Parses `IP[:PORT]` (or `[IPv6]:PORT`) for --resolver. */
export function parseResolverAddress(value: string): ResolverAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : isIP(value) === 6 ? [value, undefined] : value.split(':');
  if (!host || !isIP(host)) throw inputError('resolver', `"${value}" is not IP[:PORT].`);
  const number = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw inputError('resolver', `"${port}" is not a port number.`);
  return { host, port: number };
}

/** The system's first configured resolver (Node's dns.getServers()). */
export function systemResolverAddress(): ResolverAddress {
  const first = getServers()[0];
  if (!first) throw new HoplightError('ECONFIG', 'No DNS resolver is configured on this computer.', { hint: 'Configure a DNS resolver, or name one for this check.', hintId: 'resolver' });
  return parseResolverAddress(first);
}

/**
 * A stub resolver on dns-packet: it asks a validating resolver with the DO bit set and reads the AD bit, which
 * Node's own dns module hides. UDP first; TCP when the answer is truncated (RFC 7766).
 */
export function createResolver(address: ResolverAddress, timeoutMs = 5000): Resolver {
  return {
    address,
    async query(name, type) {
      const packet: dnsPacket.Packet = {
        type: 'query',
        id: randomInt(0, 65536),
        // RFC 6840 §5.7: setting AD in a query asks the resolver to report whether it validated the answer.
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
        questions: [{ type, name, class: 'IN' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer],
      };
      let response = await queryUdp(address, packet, timeoutMs);
      if ((response.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) response = await queryTcp(address, packet, timeoutMs);
      const rcode = (response as { rcode?: string }).rcode ?? 'NOERROR';
      // Only NOERROR and NXDOMAIN are answers. SERVFAIL (also what a DNSSEC validation failure looks like) or
      // REFUSED means "could not find out", which must never read as "there is no such record".
      if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
        throw new HoplightError('ECONNECTION', `The resolver ${address.host}:${address.port} answered ${rcode} for ${name} ${type}${rcode === 'SERVFAIL' ? ' (a DNSSEC validation failure looks like this)' : ''}.`);
      }
      return {
        rcode,
        authenticated: ((response.flags ?? 0) & dnsPacket.AUTHENTIC_DATA) !== 0,
        answers: (response.answers ?? []).filter((a) => a.type === type),
      };
    },
  };
}

function queryUdp(address: ResolverAddress, packet: dnsPacket.Packet, timeoutMs: number): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(address.host) === 6 ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new HoplightError('ETIMEDOUT', `The DNS resolver ${address.host}:${address.port} did not answer within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    socket.on('message', (message, from) => {
      // Only the resolver's answer to this query counts: a datagram from anyone else, or one that does not decode
      // (dns-packet throws on junk), is dropped and the wait goes on; the timer still bounds it.
      if (from.port !== address.port || from.address.replace(/^::ffff:/, '') !== address.host) return;
      let decoded: dnsPacket.DecodedPacket;
      try {
        decoded = dnsPacket.decode(message);
      } catch {
        return;
      }
      if (decoded.id !== packet.id || decoded.type !== 'response') return; // not ours: keep waiting
      clearTimeout(timer);
      socket.close();
      resolve(decoded);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(new HoplightError('ECONNECTION', `DNS query failed: ${error.message}`));
    });
    socket.send(dnsPacket.encode(packet), address.port, address.host);
  });
}

function queryTcp(address: ResolverAddress, packet: dnsPacket.Packet, timeoutMs: number): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HoplightError('ETIMEDOUT', `The DNS resolver ${address.host}:${address.port} did not answer over TCP within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(packet)));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length > 2 + 65535) {
        clearTimeout(timer);
        socket.destroy();
        reject(new HoplightError('ECONNECTION', `The DNS resolver ${address.host}:${address.port} sent more than one answer's worth over TCP.`));
        return;
      }
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        try {
          const decoded = dnsPacket.streamDecode(data) as dnsPacket.DecodedPacket;
          if (decoded.id !== packet.id) throw new Error(`an answer to another query (id ${decoded.id})`);
          resolve(decoded);
        } catch (error) {
          reject(new HoplightError('ECONNECTION', `The DNS resolver ${address.host}:${address.port} sent an answer that cannot be read over TCP: ${(error as Error).message}`));
        }
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(new HoplightError('ECONNECTION', `DNS query over TCP failed: ${error.message}`));
    });
  });
}

/** The data of an answer record (every record type but OPT has one). */
export function recordData(answer: dnsPacket.Answer): unknown {
  return 'data' in answer ? answer.data : undefined;
}

/** TXT record strings, each record's parts joined (RFC 7208 §3.3 style). */
export function txtStrings(answer: DnsAnswer): string[] {
  return answer.answers.map((a) => [recordData(a)].flat().map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part))).join(''));
}
