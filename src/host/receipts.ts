import { ApiError } from '../api/contract.js';
import { issueReceiptToken, receiptQrUrl } from '../domain/receipt-token.js';
import { formatCst } from '../domain/time.js';
import { PrinterJobError, PrinterUnavailableError } from '../hardware/printer/index.js';
import type { KioskCore } from './core.js';

const DEFAULT_EVALUATION_URL = 'https://hcp.example.gov.cn/e';

/**
 * 办件回执 with the rating QR code (platform-api.md §6): one receipt per case of an evaluation,
 * except a 批量 batch: its cases share one rating, so it gets one receipt with one QR code (the
 * first case's, listing the others) — several codes would invite several ratings of one
 * service. The second and later prints of an evaluation are marked 补打.
 */
export class Receipts {
  constructor(private readonly core: KioskCore) {}

  async printForEvaluation(evaluationId: string): Promise<{ copy: boolean }> {
    const { core } = this;
    const printer = core.hardware.printer;
    const found = core.evaluations.get(evaluationId);
    if (!found) throw new ApiError('not_found', `没有这个评价 / no evaluation ${evaluationId}`);
    const status = printer?.status();
    if (!printer || !status || status.state !== 'ok') throw printerUnavailable(status?.state ?? 'absent');
    const { printId, copy } = core.evaluations.beginReceiptPrint(evaluationId);
    const hall = core.hall();
    const evaluationUrl = core.refdata.profile()?.evaluationUrl ?? DEFAULT_EVALUATION_URL;
    const issued = Math.floor((core.clock.now() + core.sync.clockOffsetMs()) / 1000);
    const { evaluation: ev, cases } = found;
    let printedCases = 0;
    try {
      const batch = ev.group_type === 'batch';
      const receiptCases = batch ? cases.slice(0, 1) : cases;
      for (const c of receiptCases) {
        const token = issueReceiptToken({
          projectNo: c.project_no,
          serviceNumber: c.service_number,
          deviceId: core.config.platform.deviceId,
          deviceSecretB64: core.sync.deviceSecret(),
          issuedEpochSeconds: issued,
        });
        await printer.print({
          hallName: hall.hallName,
          windowNo: hall.windowNo,
          staffName: ev.staff_name,
          staffId: ev.staff_id,
          projectNo: c.project_no,
          serviceNumber: c.service_number,
          taskName: c.task_name,
          time: formatCst(ev.started_ms),
          qrUrl: receiptQrUrl(evaluationUrl, {
            projectNo: c.project_no,
            serviceNumber: c.service_number,
            deviceId: core.config.platform.deviceId,
            token,
          }),
          copy,
          ...(batch ? { batchProjectNos: cases.slice(1).map((x) => x.project_no) } : {}),
        });
        printedCases += 1;
      }
      core.evaluations.finishReceiptPrint(printId, 'printed');
    } catch (err) {
      // Part of a batch on paper makes the next print a 补打 copy, as a whole one does.
      core.evaluations.finishReceiptPrint(printId, printedCases > 0 ? 'partial' : 'failed');
      // The printer changed state under us (paper ran out mid-job, cover opened): the caller gets
      // the same answer as when it was unavailable from the start.
      if (err instanceof PrinterUnavailableError || err instanceof PrinterJobError)
        throw printerUnavailable(err.status.state, err.message);
      throw err;
    }
    return { copy };
  }
}

function printerUnavailable(state: string, detail?: string): ApiError {
  const err = new ApiError(
    'printer_unavailable',
    `打印机不可用 / printer unavailable: ${detail ?? state}`,
  ) as ApiError & {
    extra?: Record<string, unknown>;
  };
  err.extra = { printer: state };
  return err;
}
