/**
 * Certificates made with openssl for the mTLS tests: a CA standing in for Shopify's Payments Platform CA, a
 * client certificate it issued (what Shopify presents), a second CA with its own client certificate (a stranger),
 * and a server certificate for the app's HTTPS endpoint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly caCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
  readonly otherCaCert: string;
  readonly otherClientKey: string;
  readonly otherClientCert: string;
  readonly serverKey: string;
  readonly serverCert: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tijara-shopify-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  try {
    const ca = (name: string, subject: string) => {
      openssl(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-subj',
        subject,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      );
    };
    const leaf = (name: string, issuer: string, subject: string, extensions: string) => {
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
      );
      writeFileSync(join(dir, `${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${issuer}.crt`,
        '-CAkey',
        `${issuer}.key`,
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      );
    };
    ca('ca', '/CN=Test Payments Platform CA');
    ca('other-ca', '/CN=Somebody Else CA');
    leaf('client', 'ca', '/CN=payments.shopify.test', 'extendedKeyUsage=clientAuth\n');
    leaf('other-client', 'other-ca', '/CN=payments.shopify.test', 'extendedKeyUsage=clientAuth\n');
    leaf(
      'server',
      'ca',
      '/CN=localhost',
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    );
    return {
      caCert: read('ca.crt'),
      clientKey: read('client.key'),
      clientCert: read('client.crt'),
      otherCaCert: read('other-ca.crt'),
      otherClientKey: read('other-client.key'),
      otherClientCert: read('other-client.crt'),
      serverKey: read('server.key'),
      serverCert: read('server.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
