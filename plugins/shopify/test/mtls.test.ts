import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigurationError, type Logger } from '@tijara/core';
import { createMtlsVerifier, mtlsServerOptions, type MtlsVerifier } from '../src/mtls.js';
import { makeTestPki, type TestPki } from './support/certs.js';

const warnings: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn: (_obj, msg) => void warnings.push(String(msg)),
  error() {},
};

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('direct mode: the app terminates TLS and asks for a client certificate', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const verify: MtlsVerifier = createMtlsVerifier(
      { mode: 'direct', ca: [pki.caCert] },
      { testMode: false, logger },
    );
    server = createServer(
      mtlsServerOptions({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert }),
      (req, res) => {
        const result = verify({ socket: req.socket, headers: req.headers });
        res.writeHead(result.ok ? 200 : 403, { 'content-type': 'text/plain' });
        res.end(result.ok ? `ok ${result.subject}` : result.reason);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = (cert?: { key: string; cert: string }) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          method: 'POST',
          ca: pki.caCert,
          servername: 'localhost',
          agent: false,
          ...(cert ?? {}),
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('accepts a certificate issued by a trusted CA', async () => {
    expect(await call({ key: pki.clientKey, cert: pki.clientCert })).toEqual({
      status: 200,
      body: 'ok payments.shopify.test',
    });
  });

  it('refuses a request without a certificate (the TLS handshake still works for browsers)', async () => {
    expect(await call()).toEqual({ status: 403, body: 'no client certificate' });
  });

  it('refuses a certificate from another CA', async () => {
    const result = await call({ key: pki.otherClientKey, cert: pki.otherClientCert });
    expect(result.status).toBe(403);
    expect(result.body).toMatch(/not trusted/);
  });

  it('refuses a plain (non-TLS) connection', () => {
    const verify = createMtlsVerifier({ mode: 'direct', ca: [pki.caCert] }, { testMode: false, logger });
    expect(verify({ socket: { encrypted: false }, headers: {} })).toEqual({
      ok: false,
      reason: 'not a TLS connection',
    });
  });
});

describe('proxy mode: a trusted proxy forwards the client certificate', () => {
  const verify = () =>
    createMtlsVerifier(
      { mode: 'proxy', ca: pki.caCert, trustedProxies: ['10.0.0.0/8', '127.0.0.1'], header: 'X-Client-Cert' },
      { testMode: false, logger },
    );

  it('accepts a URL-encoded PEM (nginx $ssl_client_escaped_cert) from a trusted proxy', () => {
    const result = verify()({
      socket: { remoteAddress: '::ffff:10.1.2.3' },
      headers: { 'x-client-cert': encodeURIComponent(pki.clientCert) },
    });
    expect(result).toEqual({ ok: true, subject: 'payments.shopify.test' });
  });

  it('accepts a PEM squeezed onto one line, and an Envoy XFCC header', () => {
    const oneLine = pki.clientCert.replace(/\n/g, ' ');
    expect(
      verify()({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-client-cert': oneLine } }).ok,
    ).toBe(true);
    const xfcc = `Hash=abc;Cert="${encodeURIComponent(pki.clientCert)}";Subject="CN=x"`;
    expect(verify()({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-client-cert': xfcc } }).ok).toBe(
      true,
    );
  });

  it('trusts both CAs while Shopify rotates its CA', () => {
    const both = createMtlsVerifier(
      { mode: 'proxy', ca: [pki.caCert, pki.otherCaCert], trustedProxies: ['127.0.0.1'] },
      { testMode: false, logger },
    );
    for (const cert of [pki.clientCert, pki.otherClientCert]) {
      expect(
        both({
          socket: { remoteAddress: '127.0.0.1' },
          headers: { 'x-client-cert': encodeURIComponent(cert) },
        }).ok,
      ).toBe(true);
    }
  });

  it('refuses the header from anyone but a trusted proxy', () => {
    const result = verify()({
      socket: { remoteAddress: '192.0.2.9' },
      headers: { 'x-client-cert': encodeURIComponent(pki.clientCert) },
    });
    expect(result).toEqual({ ok: false, reason: 'request did not come from a trusted proxy (192.0.2.9)' });
  });

  it('refuses no certificate, garbage, and a certificate from another CA', () => {
    const v = verify();
    expect(v({ socket: { remoteAddress: '127.0.0.1' }, headers: {} })).toMatchObject({
      ok: false,
      reason: 'no x-client-cert header from the proxy',
    });
    expect(
      v({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-client-cert': 'hello' } }),
    ).toMatchObject({ ok: false });
    expect(
      v({
        socket: { remoteAddress: '127.0.0.1' },
        headers: { 'x-client-cert': encodeURIComponent(pki.otherClientCert) },
      }),
    ).toEqual({
      ok: false,
      reason: 'client certificate not issued by a trusted CA',
    });
  });
});

describe('configuration', () => {
  it('allows mode off only in test mode, and says so loudly', () => {
    expect(() => createMtlsVerifier({ mode: 'off' }, { testMode: false, logger })).toThrow(
      ConfigurationError,
    );
    warnings.length = 0;
    const off = createMtlsVerifier({ mode: 'off' }, { testMode: true, logger });
    expect(off({ socket: {}, headers: {} })).toEqual({ ok: true, subject: undefined });
    expect(warnings.join('\n')).toMatch(/mTLS IS OFF/);
  });

  it('refuses a missing or bad CA list, a leaf as CA, and a proxy mode without proxies', () => {
    expect(() => createMtlsVerifier(undefined, { testMode: false, logger })).toThrow(/mtls is required/);
    expect(() => createMtlsVerifier({ mode: 'direct', ca: [] }, { testMode: false, logger })).toThrow(
      /at least one CA/,
    );
    expect(() => createMtlsVerifier({ mode: 'direct', ca: 'nope' }, { testMode: false, logger })).toThrow(
      /not a PEM/,
    );
    expect(() =>
      createMtlsVerifier({ mode: 'direct', ca: pki.clientCert }, { testMode: false, logger }),
    ).toThrow(/not a CA/);
    expect(() =>
      createMtlsVerifier({ mode: 'proxy', ca: pki.caCert, trustedProxies: [] }, { testMode: false, logger }),
    ).toThrow(/trustedProxies/);
    expect(() =>
      createMtlsVerifier(
        { mode: 'proxy', ca: pki.caCert, trustedProxies: ['example.com'] },
        { testMode: false, logger },
      ),
    ).toThrow(/not an address/);
  });
});
