import { describe, expect, it } from 'vitest';
import { buildReply, parseReplyLine, queueIdFrom } from '../../../../electron/core/smtp/reply.js';
import { parseCapabilities, sizeLimit } from '../../../../electron/core/smtp/capabilities.js';

describe('reply parsing (RFC 5321 §4.2)', () => {
  it('reads continuation and last lines', () => {
    expect(parseReplyLine('250-PIPELINING')).toEqual({ code: 250, last: false, text: 'PIPELINING' });
    expect(parseReplyLine('250 OK')).toEqual({ code: 250, last: true, text: 'OK' });
    expect(parseReplyLine('354')).toEqual({ code: 354, last: true, text: '' });
  });
  it('rejects what is not a reply line', () => {
    for (const line of ['HTTP/1.1 200 OK', '25 OK', '2500 OK', '250xOK', '', '650 nope', '199 no']) expect(parseReplyLine(line)).toBeUndefined();
  });
  it('takes the enhanced status code (RFC 3463) from the last line', () => {
    const reply = buildReply([parseReplyLine('550-5.7.30 first')!, parseReplyLine('550 5.7.30 REQUIRETLS support required')!]);
    expect(reply).toEqual({ code: 550, enhancedStatus: '5.7.30', lines: ['5.7.30 first', '5.7.30 REQUIRETLS support required'] });
  });
  it('finds queue ids of Postfix, Exim and smtp-server', () => {
    expect(queueIdFrom({ code: 250, lines: ['2.0.0 Ok: queued as 4XyZ12AB3'] })).toBe('4XyZ12AB3');
    expect(queueIdFrom({ code: 250, lines: ['OK id=1tABCD-000123-ab'] })).toBe('1tABCD-000123-ab');
    expect(queueIdFrom({ code: 250, lines: ['Message queued as MWRJ2H4Z5D70A27D'] })).toBe('MWRJ2H4Z5D70A27D');
    expect(queueIdFrom({ code: 250, lines: ['OK'] })).toBeUndefined();
  });
});

describe('EHLO capabilities', () => {
  it('parses keywords and parameters, including old "AUTH=" lines', () => {
    const caps = parseCapabilities({ code: 250, lines: ['mx.example', 'PIPELINING', 'SIZE 1000', 'AUTH PLAIN LOGIN', 'AUTH=LOGIN XOAUTH2', 'requiretls'] });
    expect(caps.has('PIPELINING')).toBe(true);
    expect(caps.has('REQUIRETLS')).toBe(true);
    expect(caps.get('AUTH')).toEqual(['PLAIN', 'LOGIN', 'XOAUTH2']);
    expect(sizeLimit(caps)).toBe(1000);
    expect(caps.has('MX.EXAMPLE')).toBe(false);
  });
  it('treats SIZE 0 or a bare SIZE as "no fixed limit"', () => {
    expect(sizeLimit(parseCapabilities({ code: 250, lines: ['x', 'SIZE 0'] }))).toBeUndefined();
    expect(sizeLimit(parseCapabilities({ code: 250, lines: ['x', 'SIZE'] }))).toBeUndefined();
  });
});
