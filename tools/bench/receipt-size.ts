/**
 * Receipt size and wire time per profile: native QR (GS ( k) vs raster QR (GS v 0), 58 and 80 mm.
 * Time at 9600 baud is computed (8N1: 10 bits a byte), not measured: bytes × 10 / 9600.
 * Run: npx tsx tools/bench/receipt-size.ts
 */
import { issueReceiptToken, receiptQrUrl } from '../../src/domain/receipt-token.js';
import { buildReceipt, type PrinterProfile } from '../../src/hardware/printer/index.js';
import { report } from './report.js';

const secret = Buffer.alloc(32, 7).toString('base64');
const projectNo = '370900-2026-000123';
const token = issueReceiptToken({
  projectNo,
  serviceNumber: 1,
  deviceId: 'PAD-0001',
  deviceSecretB64: secret,
  issuedEpochSeconds: 1764300000,
});
const base = {
  hallName: '泰安市政务服务中心',
  windowNo: '12',
  staffName: '王晓燕',
  staffId: 'T0107',
  projectNo,
  serviceNumber: 1,
  taskName: '个体工商户设立登记',
  time: '2026-11-28 10:15:30',
  qrUrl: receiptQrUrl('https://hcp.example.gov.cn/e', {
    projectNo,
    serviceNumber: 1,
    deviceId: 'PAD-0001',
    token,
  }),
  copy: false,
};

const rows: Record<string, string | number>[] = [];
for (const paperWidthMm of [58, 80] as const) {
  for (const qr of ['native', 'raster'] as const) {
    const profile: PrinterProfile = { paperWidthMm, qr, codepage: 'gb18030' };
    const bytes = buildReceipt(base, profile).length;
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) buildReceipt(base, profile);
    const buildMs = (performance.now() - t0) / 50;
    rows.push({
      paper: `${paperWidthMm} mm`,
      qr,
      bytes,
      'at 9600 baud (s)': +((bytes * 10) / 9600).toFixed(2),
      'at 115200 baud (s)': +((bytes * 10) / 115200).toFixed(3),
      'build (ms)': +buildMs.toFixed(2),
    });
  }
}
console.log(`QR payload: ${base.qrUrl.length} chars (${base.qrUrl})`);
console.table(rows);
const native58 = buildReceipt(base, { paperWidthMm: 58, qr: 'native', codepage: 'gb18030' }).length;
report('receipt-size', [
  {
    figure: 'receipt bytes (58 mm, native QR)',
    value: native58,
    unit: 'B',
    floor: null,
    floorLabel: '—',
    kind: 'info',
    goal: null,
    note: `${((native58 * 10) / 9600).toFixed(2)} s at 9600 baud`,
  },
]);
