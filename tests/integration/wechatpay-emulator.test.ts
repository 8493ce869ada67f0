import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { startEmulator, type Emulator } from '../../server/wechat-emulator/server';
import { WechatPayClient, WechatPayUnavailable } from '../../server/src/lib/wechatpay/client';
import { signRequest } from '../../server/src/lib/wechatpay/crypto';
import { waitUntil } from '../helpers/wait';

/**
 * The emulator speaks WeChat Pay APIv3, driven through the BFF's own client (which signs every
 * request and verifies every answer) and a notification receiver that checks what arrives.
 */
type Received = { headers: http.IncomingHttpHeaders; body: string; at: number };

let em: Emulator;
let client: WechatPayClient;
let receiver: http.Server;
const received: Received[] = [];
let answer: (r: Received) => number = () => 204;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(r);
      res.writeHead(answer(r));
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  em = await startEmulator({ appId: 'wx_dev_xinghuo', paySettings: { notifyScale: 0.002, refundDelayMs: 50 } });
  client = new WechatPayClient({
    apiBase: em.url, appId: 'wx_dev_xinghuo', mchId: em.payKeys.mchId, merchantSerial: em.payKeys.merchantSerial, merchantPrivateKey: em.payKeys.merchantPrivateKey,
    platformPublicKeyId: em.payKeys.platformPublicKeyId, platformPublicKey: em.payKeys.platformPublicKey, apiV3Key: em.payKeys.apiV3Key,
    notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`, timeoutMs: 3000,
  });
});
afterAll(async () => {
  await em.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  Object.assign(em.pay.faults, { drop: 0, duplicate: 0, delayMs: 0, reorder: false, serverErrors: 0, refundOutcome: 'SUCCESS' });
  answer = () => 204;
});

let seq = 0;
const newTrade = async (amountFen = 1999, openid = 'o_villager') => {
  const outTradeNo = `T${Date.now()}${++seq}`;
  const prepayId = await client.prepayJsapi({ outTradeNo, description: '星火-测试', amountFen, openid, timeExpire: new Date(Date.now() + 600_000) });
  return { outTradeNo, prepayId };
};
const userPays = (prepayId: string, params: Record<string, string> = client.requestPaymentParams(prepayId)) =>
  fetch(`${em.url}/_emulator/pay/${prepayId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
const notificationsFor = (outTradeNo: string) =>
  received.filter((r) => {
    const n = JSON.parse(r.body) as { resource: never };
    return (JSON.parse(client.decrypt(n.resource)) as { out_trade_no: string }).out_trade_no === outTradeNo;
  });

describe('JSAPI prepay', () => {
  it('when the same out_trade_no is prepaid again while valid, then the prepay id is the same; after it expires, a new one', async () => {
    const { outTradeNo, prepayId } = await newTrade();
    const again = await client.prepayJsapi({ outTradeNo, description: '星火-测试', amountFen: 1999, openid: 'o_villager', timeExpire: new Date(Date.now() + 600_000) });
    expect(again).toBe(prepayId);
    em.pay.trades.get(outTradeNo)!.prepay.expiresAt = Date.now() - 1;
    const renewed = await client.prepayJsapi({ outTradeNo, description: '星火-测试', amountFen: 1999, openid: 'o_villager', timeExpire: new Date(Date.now() + 600_000) });
    expect(renewed).not.toBe(prepayId);
    expect((await userPays(prepayId)).status).toBe(400);
  });

  it('when the same out_trade_no comes with another amount, then WeChat refuses it (OUT_TRADE_NO_USED)', async () => {
    const { outTradeNo } = await newTrade(1000);
    await expect(client.prepayJsapi({ outTradeNo, description: '星火-测试', amountFen: 1, openid: 'o_villager', timeExpire: new Date(Date.now() + 600_000) })).rejects.toMatchObject({ code: 'OUT_TRADE_NO_USED' });
  });

  it('when a request is unsigned, signed by another key or out of the time window, then it is 401 SIGN_ERROR', async () => {
    const body = JSON.stringify({ mchid: em.payKeys.mchId });
    const unsigned = await fetch(`${em.url}/v3/pay/transactions/out-trade-no/X123456/close`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { code: string }).code).toBe('SIGN_ERROR');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = signRequest({ mchId: em.payKeys.mchId, serial: em.payKeys.merchantSerial, privateKey: other }, 'POST', '/v3/pay/transactions/out-trade-no/X123456/close', body);
    expect((await fetch(`${em.url}/v3/pay/transactions/out-trade-no/X123456/close`, { method: 'POST', body, headers: { authorization: forged } })).status).toBe(401);
    const keys = { mchId: em.payKeys.mchId, serial: em.payKeys.merchantSerial, privateKey: createPrivateKey(em.payKeys.merchantPrivateKey) };
    const stale = signRequest(keys, 'POST', '/v3/pay/transactions/out-trade-no/X123456/close', body, Date.now() - 400_000);
    expect((await fetch(`${em.url}/v3/pay/transactions/out-trade-no/X123456/close`, { method: 'POST', body, headers: { authorization: stale } })).status).toBe(401);
    const fresh = signRequest(keys, 'POST', '/v3/pay/transactions/out-trade-no/X123456/close', body);
    expect((await fetch(`${em.url}/v3/pay/transactions/out-trade-no/X123456/close`, { method: 'POST', body, headers: { authorization: fresh } })).status).toBe(404);
  });

  it("when WeChat's answer is tampered with on the way, then the client does not believe it", async () => {
    const tampering = new WechatPayClient({ ...client.settings, platformPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const { outTradeNo } = await newTrade();
    await expect(tampering.queryByOutTradeNo(outTradeNo)).rejects.toBeInstanceOf(WechatPayUnavailable);
  });
});

describe('the user paying, and the notification', () => {
  it('when the cashier gets params not signed by the merchant, then it refuses; with the right ones, the trade is paid and a signed, encrypted notification arrives', async () => {
    const { outTradeNo, prepayId } = await newTrade(2599);
    const good = client.requestPaymentParams(prepayId);
    expect((await userPays(prepayId, { ...good, paySign: good.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(400);
    expect((await userPays(prepayId, { ...good, package: 'prepay_id=wx_other' })).status).toBe(400);
    const ok = await userPays(prepayId, good);
    expect(await ok.json()).toEqual({ errMsg: 'requestPayment:ok' });
    expect((await userPays(prepayId)).status).toBe(400);

    const [n] = await waitUntil('the notification', () => notificationsFor(outTradeNo).length ? notificationsFor(outTradeNo) : undefined);
    expect(client.verify(n.headers, n.body)).toMatchObject({ ok: true, serial: em.payKeys.platformPublicKeyId });
    expect(n.headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_/);
    const envelope = JSON.parse(n.body) as { event_type: string; resource: { algorithm: string } };
    expect(envelope.event_type).toBe('TRANSACTION.SUCCESS');
    expect(envelope.resource.algorithm).toBe('AEAD_AES_256_GCM');
    const trade = JSON.parse(client.decrypt(envelope.resource as never)) as { trade_state: string; amount: { total: number }; mchid: string; appid: string };
    expect(trade).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 2599 }, mchid: em.payKeys.mchId, appid: 'wx_dev_xinghuo' });
    expect(await client.queryByOutTradeNo(outTradeNo)).toMatchObject({ trade_state: 'SUCCESS', transaction_id: expect.stringMatching(/^4200\d{24}$/) });
  });

  it('when the merchant fails to answer 2xx, then WeChat tries again on its schedule, with fresh signatures, until it does', async () => {
    let failures = 0;
    answer = () => (failures++ < 3 ? 500 : 204);
    const { outTradeNo, prepayId } = await newTrade();
    await userPays(prepayId);
    const record = await waitUntil('acknowledged', () => em.pay.notifications.find((r) => r.outTradeNo === outTradeNo && r.acknowledged));
    expect(record.attempts).toBe(4);
    const arrivals = notificationsFor(outTradeNo);
    expect(arrivals).toHaveLength(4);
    expect(new Set(arrivals.map((a) => JSON.parse(a.body).id)).size).toBe(1);
    expect(new Set(arrivals.map((a) => a.headers['wechatpay-nonce'])).size).toBe(4);
    // 15 s, 15 s, 30 s scaled by 0.002: 30, 30, 60 ms at least between attempts.
    expect(arrivals[3].at - arrivals[0].at).toBeGreaterThanOrEqual(110);
  });

  it('when the fault switches say duplicate or drop, then attempts are sent twice or not at all', async () => {
    em.pay.faults.duplicate = 1;
    const a = await newTrade();
    await userPays(a.prepayId);
    await waitUntil('two copies', () => notificationsFor(a.outTradeNo).length >= 2);
    em.pay.faults.duplicate = 0;
    em.pay.faults.drop = 1;
    const b = await newTrade();
    await userPays(b.prepayId);
    await waitUntil('three dropped attempts', () => (em.pay.notifications.find((r) => r.outTradeNo === b.outTradeNo)?.attempts ?? 0) >= 3);
    expect(notificationsFor(b.outTradeNo)).toHaveLength(0);
    em.pay.faults.drop = 0;
    await waitUntil('delivered once the drops stop', () => notificationsFor(b.outTradeNo).length === 1, { timeoutMs: 60_000 });
  });

  it('when reorder is on, then notifications arrive in another order than the payments', async () => {
    em.pay.faults.reorder = true;
    const trades: { outTradeNo: string; prepayId: string }[] = [];
    for (let i = 0; i < 8; i++) trades.push(await newTrade(100 + i));
    for (const t of trades) await userPays(t.prepayId);
    await waitUntil('all eight', () => trades.every((t) => notificationsFor(t.outTradeNo).length === 1));
    const order = trades.map((t) => notificationsFor(t.outTradeNo)[0].at);
    const arrival = [...trades.keys()].sort((x, y) => order[x] - order[y] || received.indexOf(notificationsFor(trades[x].outTradeNo)[0]) - received.indexOf(notificationsFor(trades[y].outTradeNo)[0]));
    expect(arrival).not.toEqual([...trades.keys()]);
  });

  it('when the 5xx switch is on, then API calls fail as WeChat being unavailable', async () => {
    em.pay.faults.serverErrors = 1;
    await expect(newTrade()).rejects.toBeInstanceOf(WechatPayUnavailable);
  });
});

describe('close', () => {
  it('when an unpaid trade is closed, then it cannot be paid; a paid one cannot be closed', async () => {
    const a = await newTrade();
    expect(await client.close(a.outTradeNo)).toBe('closed');
    expect((await userPays(a.prepayId)).status).toBe(400);
    expect(await client.queryByOutTradeNo(a.outTradeNo)).toMatchObject({ trade_state: 'CLOSED' });
    const b = await newTrade();
    await userPays(b.prepayId);
    expect(await client.close(b.outTradeNo)).toBe('paid');
    expect(await client.queryByOutTradeNo('T-never')).toBeNull();
  });
});

describe('refunds', () => {
  it('when refunds are requested, then each is PROCESSING, then SUCCESS by notification; never more than paid in all', async () => {
    const { outTradeNo, prepayId } = await newTrade(1000);
    await userPays(prepayId);
    const first = await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, reason: '取消', refundFen: 600, totalFen: 1000 });
    expect(first.status).toBe('PROCESSING');
    expect(await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, reason: '取消', refundFen: 600, totalFen: 1000 })).toMatchObject({ refund_id: first.refund_id });
    await expect(client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R2`, reason: '售后', refundFen: 401, totalFen: 1000 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R3`, reason: '售后', refundFen: 400, totalFen: 1000 })).toMatchObject({ status: 'PROCESSING' });
    await waitUntil('refund notifications', () => received.filter((r) => JSON.parse(r.body).event_type === 'REFUND.SUCCESS' && JSON.parse(client.decrypt(JSON.parse(r.body).resource)).out_trade_no === outTradeNo).length === 2);
    expect(await client.queryRefund(`${outTradeNo}R1`)).toMatchObject({ status: 'SUCCESS', amount: { refund: 600 } });
    expect(await client.queryRefund('nope-123')).toBeNull();
  });

  it('when the outcome switch says CLOSED, then the refund ends CLOSED', async () => {
    em.pay.faults.refundOutcome = 'CLOSED';
    const { outTradeNo, prepayId } = await newTrade(500);
    await userPays(prepayId);
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, reason: '取消', refundFen: 500, totalFen: 500 });
    await waitUntil('closed', async () => (await client.queryRefund(`${outTradeNo}R1`))?.status === 'CLOSED');
  });
});

describe('trade bill', () => {
  it("when today's bill is downloaded, then it lists the day's payments and refunds in WeChat's format, its SHA1 checked", async () => {
    const { outTradeNo, prepayId } = await newTrade(12345);
    await userPays(prepayId);
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, reason: '取消', refundFen: 45, totalFen: 12345 });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const csv = (await client.tradeBill(today))!;
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号/);
    expect(lines.find((l) => l.includes(`\`${outTradeNo},`) && l.includes('`SUCCESS,'))).toContain('`123.45,');
    expect(lines.find((l) => l.includes(`\`${outTradeNo}R1,`))).toContain('`0.45,');
    expect(lines[lines.length - 2]).toMatch(/^总交易单数/);
    expect(await client.tradeBill('2001-01-01')).toBeNull();
  });
});

describe('shipping info for the mini-program platform', () => {
  it('when a paid trade is uploaded with the payer, then it is accepted; an unknown trade or another payer is refused', async () => {
    const token = ((await (await fetch(`${em.url}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential' }) })).json()) as { access_token: string }).access_token;
    const upload = async (outTradeNo: string, openid: string) =>
      (await (await fetch(`${em.url}/wxa/sec/order/upload_shipping_info?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify({ order_key: { order_number_type: 1, mchid: em.payKeys.mchId, out_trade_no: outTradeNo }, logistics_type: 4, delivery_mode: 1, shipping_list: [{ item_desc: '空调*1' }], upload_time: new Date().toISOString(), payer: { openid } }),
      })).json()) as { errcode: number };
    const { outTradeNo, prepayId } = await newTrade(100, 'o_payer');
    expect((await upload(outTradeNo, 'o_payer')).errcode).toBe(10060001);
    await userPays(prepayId);
    expect((await upload(outTradeNo, 'o_someone')).errcode).toBe(10060014);
    expect((await upload(outTradeNo, 'o_payer')).errcode).toBe(0);
    expect(em.pay.shipping.filter((s) => s.outTradeNo === outTradeNo)).toEqual([expect.objectContaining({ logisticsType: 4, itemDesc: '空调*1' })]);
  });
});
