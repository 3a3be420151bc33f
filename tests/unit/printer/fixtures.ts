import { issueReceiptToken, receiptQrUrl } from '../../../src/domain/receipt-token.js';
import type { ReceiptData } from '../../../src/hardware/printer/index.js';

export const DEVICE_SECRET = Buffer.alloc(32, 0x5a).toString('base64');
export const DEVICE_ID = 'PAD-0001';

export function sampleReceipt(over: Partial<ReceiptData> & { issued?: number } = {}): ReceiptData {
  const projectNo = over.projectNo ?? '370900-2026-000123';
  const serviceNumber = over.serviceNumber ?? 2;
  const token = issueReceiptToken({
    projectNo,
    serviceNumber,
    deviceId: DEVICE_ID,
    deviceSecretB64: DEVICE_SECRET,
    issuedEpochSeconds: over.issued ?? 1764300000,
  });
  const { issued: _issued, ...rest } = over;
  return {
    hallName: '泰安市政务服务中心',
    windowNo: '12',
    staffName: '王晓燕',
    staffId: 'T0107',
    projectNo,
    serviceNumber,
    taskName: '个体工商户设立登记',
    time: '2026-11-28 10:15:30',
    qrUrl: receiptQrUrl('https://hcp.example.gov.cn/e', {
      projectNo,
      serviceNumber,
      deviceId: DEVICE_ID,
      token,
    }),
    copy: false,
    ...rest,
  };
}
