import { beijingDay, compareBill, parseTradeBill, yuanToFen } from './reconcile';

const HEAD = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
// The shape of WeChat's own example (wxcloudrun's downloadbill), with a refund row added.
const CSV = [
  HEAD,
  '`2022-03-21 13:51:31,`wxfdc955f7104ad557,`180023671,`0,`,`420000612032130748613220688,`P1,`oZWaCKXip5,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`空调,`,`0.00000,`0.60%,`12.34,`0.00,`',
  '`2022-03-21 14:00:00,`wxfdc955f7104ad557,`180023671,`0,`,`420000612032130748613220688,`P1,`oZWaCKXip5,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300,`R1,`2.30,`0.00,`ORIGINAL,`SUCCESS,`空调,`,`0.00000,`0.60%,`0.00,`2.30,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`2,`12.34,`2.30,`0.00,`0.00000,`12.34,`2.30',
].join('\r\n');

describe('the trade bill', () => {
  it('when yuan are read, then they become fen exactly; anything else is NaN', () => {
    expect(yuanToFen('12.34')).toBe(1234);
    expect(yuanToFen('0.5')).toBe(50);
    expect(yuanToFen('7')).toBe(700);
    expect(yuanToFen('1.005')).toBeNaN();
    expect(yuanToFen('abc')).toBeNaN();
  });

  it("when WeChat's CSV is parsed, then payments and refunds come out by their merchant numbers, the summary left out", () => {
    expect(parseTradeBill(`\uFEFF${CSV}`)).toEqual([
      { kind: 'payment', outTradeNo: 'P1', outRefundNo: null, fen: 1234 },
      { kind: 'refund', outTradeNo: 'P1', outRefundNo: 'R1', fen: 230 },
    ]);
    expect(parseTradeBill('')).toEqual([]);
    expect(() => parseTradeBill('a,b,c\n`1,`2,`3')).toThrow(/商户订单号/);
  });

  it('when bill and records differ, then each difference is named once: missing here, missing there, amount', () => {
    const paidAt = new Date();
    const mismatches = compareBill(
      [
        { kind: 'payment', outTradeNo: 'SAME', outRefundNo: null, fen: 100 },
        { kind: 'payment', outTradeNo: 'DIFF', outRefundNo: null, fen: 200 },
        { kind: 'payment', outTradeNo: 'THEIRS', outRefundNo: null, fen: 300 },
        { kind: 'payment', outTradeNo: 'UNPAID_HERE', outRefundNo: null, fen: 400 },
        { kind: 'refund', outTradeNo: 'SAME', outRefundNo: 'R-OK', fen: 50 },
        { kind: 'refund', outTradeNo: 'SAME', outRefundNo: 'R-FAILED', fen: 10 },
      ],
      {
        dayPayments: [{ id: 'SAME', amountFen: 100, paidAt }, { id: 'DIFF', amountFen: 201, paidAt }, { id: 'OURS', amountFen: 500, paidAt }],
        dayRefunds: [{ id: 'R-OK', amountFen: 50, status: 'success' }, { id: 'R-OURS', amountFen: 20, status: 'processing' }],
        knownPayments: new Map([
          ['SAME', { id: 'SAME', amountFen: 100, paidAt }], ['DIFF', { id: 'DIFF', amountFen: 201, paidAt }], ['UNPAID_HERE', { id: 'UNPAID_HERE', amountFen: 400, paidAt: null }],
        ]),
        knownRefunds: new Map([['R-OK', { id: 'R-OK', amountFen: 50, status: 'success' as const }], ['R-FAILED', { id: 'R-FAILED', amountFen: 10, status: 'failed' as const }]]),
      },
    );
    expect(mismatches.map((m) => `${m.kind}:${m.ref}`).sort()).toEqual(
      ['amount_differs:DIFF', 'missing_here:THEIRS', 'missing_here:UNPAID_HERE', 'missing_here:R-FAILED', 'missing_there:OURS', 'missing_there:R-OURS'].sort(),
    );
  });

  it('when a bill date is turned into instants, then it is the Beijing day', () => {
    expect(beijingDay('2026-12-01')).toEqual({ from: new Date('2026-11-30T16:00:00Z'), to: new Date('2026-12-01T16:00:00Z') });
  });
});
