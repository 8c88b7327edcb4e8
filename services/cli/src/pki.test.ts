import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensurePki } from './pki.js';

describe('PKI of kapi up / kapi cluster', () => {
  it('issues a CA, a serving and an admin certificate once, and reissues serving on a new address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kapi-pki-'));
    try {
      const first = await ensurePki(dir, '127.0.0.1');
      const ca = new X509Certificate(first.caCert);
      const serving = new X509Certificate(first.servingCert);
      const admin = new X509Certificate(first.adminCert);
      assert.ok(serving.verify(ca.publicKey) && admin.verify(ca.publicKey), 'leaves are signed by the CA');
      assert.match(serving.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      assert.match(serving.subjectAltName ?? '', /DNS:kubernetes\.default\.svc/);
      assert.match(admin.subject, /O=system:masters/);
      assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');

      const again = await ensurePki(dir, '127.0.0.1');
      assert.equal(again.servingCert, first.servingCert, 'reused on the next start');
      assert.equal(again.adminCert, first.adminCert);

      const moved = await ensurePki(dir, '127.0.0.2');
      assert.notEqual(moved.servingCert, first.servingCert, 'a new bind address reissues the serving certificate');
      assert.equal(moved.caCert, first.caCert, 'the CA stays');
      assert.equal(new X509Certificate(moved.servingCert).checkIP('127.0.0.2'), '127.0.0.2');
      assert.equal(await readFile(first.files.servingCert, 'utf8'), moved.servingCert);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
