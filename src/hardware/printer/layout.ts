/** The 办件回执 (service receipt) and the test page, as ESC/POS bytes for one printer profile. */
import { z } from 'zod';
import { EscPos, qrBitmap, qrMatrix, textColumns, wrapColumns } from './escpos.js';
import { geometry, type PrinterProfile } from './profile.js';

export const receiptDataSchema = z.object({
  hallName: z.string().min(1).max(100),
  windowNo: z.string().min(1).max(20),
  staffName: z.string().min(1).max(50),
  staffId: z.string().min(1).max(50),
  projectNo: z.string().min(1).max(50),
  serviceNumber: z.number().int().min(1),
  taskName: z.string().min(1).max(200),
  time: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'time must be yyyy-MM-dd HH:mm:ss'),
  qrUrl: z.string().url().max(1000),
  /** A reprint: marked 补打 so two receipts of one service are told apart. */
  copy: z.boolean(),
  /** A 批量 batch: the other case numbers the one QR code rates together (one evaluation). */
  batchProjectNos: z.array(z.string().min(1).max(50)).max(49).optional(),
});
export type ReceiptData = z.infer<typeof receiptDataSchema>;

export const RECEIPT_TEXT = {
  title: '办件回执',
  copyMark: '【补打】',
  scanHint: '扫码评价',
  scanDetail: '请用手机扫描二维码，对本次服务进行评价',
  hotline: '如有意见建议，请拨打12345政务服务便民热线',
} as const;

/** Left label + value with the value wrapped under itself (hanging indent). */
function labelled(p: EscPos, columns: number, label: string, value: string): void {
  const indent = textColumns(label);
  const rest = columns - indent;
  if (rest < 8) {
    for (const l of wrapColumns(`${label}${value}`, columns)) p.line(l);
    return;
  }
  const lines = wrapColumns(value, rest);
  lines.forEach((l, i) => p.line(`${i === 0 ? label : ' '.repeat(indent)}${l}`));
}

function rule(p: EscPos, columns: number): void {
  p.line('-'.repeat(columns));
}

/** Module size: the profile's, smaller when a long URL would not fit the paper with its quiet zone. */
export function qrModuleDots(profile: PrinterProfile, data: string): number {
  const g = geometry(profile);
  const modules = qrMatrix(data, 'M').size + 8;
  return Math.max(1, Math.min(g.qrModuleDots, Math.floor(g.dots / modules)));
}

function qr(p: EscPos, profile: PrinterProfile, data: string): void {
  const dots = qrModuleDots(profile, data);
  // Blank lines above and below: the quiet zone a phone camera needs to find the code.
  p.line();
  p.align('center');
  if (profile.qr === 'native') p.qrNative(data, dots, 'M');
  else p.raster(qrBitmap(data, dots, 'M'));
  p.line();
}

export function buildReceipt(input: ReceiptData, profile: PrinterProfile): Buffer {
  const r = receiptDataSchema.parse(input);
  const { columns } = geometry(profile);
  const p = new EscPos().init();

  p.align('center').bold(true).size(2, 2);
  for (const l of wrapColumns(RECEIPT_TEXT.title, columns / 2)) p.line(l);
  p.size(1, 1);
  if (r.copy) {
    p.size(2, 2);
    p.line(RECEIPT_TEXT.copyMark);
    p.size(1, 1);
  }
  p.bold(false);
  for (const l of wrapColumns(r.hallName, columns)) p.line(l);
  p.align('left');
  rule(p, columns);
  labelled(p, columns, '窗口：', `${r.windowNo}号窗口`);
  labelled(p, columns, '工作人员：', `${r.staffName}（工号 ${r.staffId}）`);
  labelled(p, columns, '办件编号：', r.projectNo);
  if (r.batchProjectNos && r.batchProjectNos.length > 0)
    labelled(p, columns, `同批办件（共${r.batchProjectNos.length + 1}件）：`, r.batchProjectNos.join('、'));
  labelled(p, columns, '事项：', r.taskName);
  labelled(p, columns, '服务次数：', `第${r.serviceNumber}次`);
  labelled(p, columns, '时间：', r.time);
  rule(p, columns);

  qr(p, profile, r.qrUrl);
  p.align('center').bold(true).size(2, 2);
  p.line(RECEIPT_TEXT.scanHint);
  p.size(1, 1).bold(false);
  for (const l of wrapColumns(RECEIPT_TEXT.scanDetail, columns)) p.line(l);
  p.align('left');
  rule(p, columns);
  p.align('center');
  for (const l of wrapColumns(RECEIPT_TEXT.hotline, columns)) p.line(l);
  if (r.copy) p.line(`${RECEIPT_TEXT.copyMark} ${r.time}`);
  p.align('left').feed(2).cut();
  return p.bytes();
}

export const TEST_PAGE_QR = 'hcp-kiosk printer test 打印测试';

/** Which pad printed the test page: the technician checks the paper against the screen. */
export interface TestPageIdentity {
  deviceId: string;
  windowNo: string;
}

export function buildTestPage(profile: PrinterProfile, now: string, pad?: TestPageIdentity): Buffer {
  const { columns, dots } = geometry(profile);
  const p = new EscPos().init();
  p.align('center').bold(true).size(2, 2).line('打印测试页').size(1, 1);
  p.line('Printer test page').bold(false);
  p.align('left');
  rule(p, columns);
  if (pad) {
    labelled(p, columns, '设备号 Device: ', pad.deviceId);
    labelled(p, columns, '窗口 Window: ', pad.windowNo);
    rule(p, columns);
  }
  p.line(`纸宽 ${profile.paperWidthMm} mm / ${columns} 列 / ${dots} 点`);
  p.line(`二维码：${profile.qr === 'native' ? '打印机原生 (GS ( k)' : '光栅图 (GS v 0)'}`);
  p.line(`编码：${profile.codepage.toUpperCase()}`);
  for (const l of wrapColumns('中文测试：政务服务“好差评”，满意 非常满意 ABC abc 0123456789', columns))
    p.line(l);
  for (const l of wrapColumns('English: paper width, text and QR code as receipts print them.', columns))
    p.line(l);
  p.line('1234567890'.repeat(Math.ceil(columns / 10)).slice(0, columns));
  p.line('一二三四五六七八九十'.repeat(3).slice(0, columns / 2));
  p.line(now);
  rule(p, columns);
  qr(p, profile, TEST_PAGE_QR);
  p.align('center').line(RECEIPT_TEXT.scanHint);
  for (const l of wrapColumns(
    '字迹清楚、二维码完整即为正常 / clear text and a whole QR code: the printer works',
    columns,
  ))
    p.line(l);
  p.align('left').feed(2).cut();
  return p.bytes();
}
