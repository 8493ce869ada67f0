import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  decryptResource, encryptResource, paySignMessage, parseAuthorization, requestMessage, requestPaymentParams, responseMessage, rsaSign, rsaVerify,
  signMessage, signRequest, verifySignedMessage,
} from './crypto';

const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const trusted = new Map([[PUB_KEY_ID, platform.publicKey]]);
const API_V3_KEY = 'a'.repeat(16) + 'B'.repeat(16);

describe('WeChat Pay APIv3 message formats', () => {
  it("when a request is formatted, then it has the method, URL, timestamp, nonce and body lines WeChat's guide shows", () => {
    expect(requestMessage('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242', '')).toBe(
      'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n',
    );
  });
  it('when a response has no body (204), then its last line is a lone newline', () => {
    expect(responseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c')).toBe('1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n');
  });
  it("when requestPayment's paySign is formatted, then it is the four lines of WeChat's example", () => {
    expect(paySignMessage('wx8888888888888888', '1414561699', '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', 'prepay_id=wx201410272009395522657a690389285100')).toBe(
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n',
    );
  });
});

describe('RSA-SHA256 signatures against openssl', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when node signs a paySign message, then `openssl dgst -sha256 -verify` accepts it, and a changed message is refused', () => {
    const message = paySignMessage('wx8888888888888888', '1414561699', 'abc', 'prepay_id=wx1');
    writeFileSync(path.join(dir, 'pub.pem'), merchant.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path.join(dir, 'msg'), message);
    writeFileSync(path.join(dir, 'sig'), Buffer.from(rsaSign(message, merchant.privateKey), 'base64'));
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), '-signature', path.join(dir, 'sig'), path.join(dir, 'msg')]).toString();
    expect(out).toMatch(/Verified OK/);
    writeFileSync(path.join(dir, 'msg'), `${message}x`);
    expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), '-signature', path.join(dir, 'sig'), path.join(dir, 'msg')], { stdio: 'pipe' })).toThrow();
  });

  it('when openssl signs like WeChat\'s command-line example, then node verifies it', () => {
    const message = responseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c', '{"prepay_id":"wx2922034726858082fbd40b511c67630000"}');
    writeFileSync(path.join(dir, 'key.pem'), platform.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'msg2'), message);
    const signature = execFileSync('openssl', ['dgst', '-sha256', '-sign', path.join(dir, 'key.pem'), path.join(dir, 'msg2')]).toString('base64');
    expect(rsaVerify(message, signature, platform.publicKey)).toBe(true);
    expect(rsaVerify(message.replace('wx29', 'wx30'), signature, platform.publicKey)).toBe(false);
  });
});

describe('verifying what WeChat Pay sends', () => {
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
  const headersOf = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

  it('when the message is signed by the trusted key within the window, then it verifies', () => {
    const headers = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: platform.privateKey }, body));
    expect(verifySignedMessage({ headers, body, trusted })).toMatchObject({ ok: true, serial: PUB_KEY_ID });
  });
  it('when one byte of the body is changed, then the signature fails', () => {
    const headers = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: platform.privateKey }, body));
    expect(verifySignedMessage({ headers, body: body.replace('SUCCESS', 'SUCCESs'), trusted })).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it('when the timestamp is more than five minutes old or ahead, then it is stale, however good the signature', () => {
    const old = Date.now() - 301_000;
    const headers = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: platform.privateKey }, body, old));
    expect(verifySignedMessage({ headers, body, trusted })).toEqual({ ok: false, reason: 'stale' });
    const ahead = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: platform.privateKey }, body, Date.now() + 301_000));
    expect(verifySignedMessage({ headers: ahead, body, trusted })).toEqual({ ok: false, reason: 'stale' });
  });
  it('when the serial is not one we trust (or the message is signed by another key under our serial), then it fails', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongSerial = headersOf(signMessage({ serial: 'PUB_KEY_ID_0000', privateKey: other.privateKey }, body));
    expect(verifySignedMessage({ headers: wrongSerial, body, trusted })).toEqual({ ok: false, reason: 'unknown_serial' });
    const forged = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: other.privateKey }, body));
    expect(verifySignedMessage({ headers: forged, body, trusted })).toEqual({ ok: false, reason: 'bad_signature' });
  });
  it("when WeChat probes with a WECHATPAY/SIGNTEST/ signature or a header is missing, then it fails", () => {
    const headers = headersOf(signMessage({ serial: PUB_KEY_ID, privateKey: platform.privateKey }, body));
    expect(verifySignedMessage({ headers: { ...headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' }, body, trusted })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifySignedMessage({ headers: { ...headers, 'wechatpay-nonce': undefined }, body, trusted })).toEqual({ ok: false, reason: 'missing_headers' });
  });
});

describe('merchant request signatures', () => {
  it('when a request is signed, then the Authorization header parses back and verifies with the merchant public key', () => {
    const auth = signRequest({ mchId: '1900000109', serial: 'ABCDEF', privateKey: merchant.privateKey }, 'POST', '/v3/pay/transactions/jsapi', '{"a":1}');
    const p = parseAuthorization(auth)!;
    expect(p).toMatchObject({ mchid: '1900000109', serial_no: 'ABCDEF' });
    expect(rsaVerify(requestMessage('POST', '/v3/pay/transactions/jsapi', p.timestamp, p.nonce_str, '{"a":1}'), p.signature, merchant.publicKey)).toBe(true);
    expect(parseAuthorization('Bearer x')).toBeNull();
  });
  it('when requestPayment params are made, then paySign verifies over appId, timeStamp, nonceStr and package', () => {
    const p = requestPaymentParams('wx_dev', 'wx201410272009395522657a690389285100', merchant.privateKey);
    expect(p.package).toBe('prepay_id=wx201410272009395522657a690389285100');
    expect(p.signType).toBe('RSA');
    expect(p.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(rsaVerify(paySignMessage('wx_dev', p.timeStamp, p.nonceStr, p.package), p.paySign, merchant.publicKey)).toBe(true);
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  it('when a resource is encrypted, then it decrypts with the APIv3 key and its associated data', () => {
    const r = encryptResource(API_V3_KEY, '{"out_trade_no":"X1"}', 'transaction', 'transaction');
    expect(r.nonce).toHaveLength(12);
    expect(decryptResource(API_V3_KEY, r)).toBe('{"out_trade_no":"X1"}');
  });
  it('when the ciphertext, the associated data or the key differs, then decryption throws', () => {
    const r = encryptResource(API_V3_KEY, '{"out_trade_no":"X1"}', 'transaction', 'transaction');
    const bytes = Buffer.from(r.ciphertext, 'base64');
    bytes[0] ^= 1;
    expect(() => decryptResource(API_V3_KEY, { ...r, ciphertext: bytes.toString('base64') })).toThrow();
    expect(() => decryptResource(API_V3_KEY, { ...r, associated_data: 'refund' })).toThrow();
    expect(() => decryptResource('b'.repeat(32), r)).toThrow();
    expect(() => decryptResource(API_V3_KEY, { ...r, algorithm: 'AES_128' })).toThrow();
  });
});
