import { DomainError } from '../domain/errors.js';
import { issueReceiptToken, receiptQrUrl } from '../domain/receipt-token.js';
import { formatCst } from '../domain/time.js';
import type { Clock } from '../domain/clock.js';
import type { HallIdentity } from '../domain/types.js';
import { PrinterJobError, PrinterUnavailableError, type ReceiptPrinter } from '../hardware/printer/index.js';
import type { EvaluationService } from '../service/evaluations.js';

/** What printing a receipt needs, handed in at construction. */
export interface ReceiptDeps {
  printer(): ReceiptPrinter | null;
  evaluations: Pick<EvaluationService, 'get' | 'beginReceiptPrint' | 'finishReceiptPrint'>;
  hall(): HallIdentity;
  /** the platform's rating page (from the device profile), or null before it arrived */
  evaluationUrl(): string | null;
  clock: Clock;
  clockOffset: { offsetMs(): number };
  deviceId: string;
  deviceSecret(): string;
}

const DEFAULT_EVALUATION_URL = 'https://hcp.example.gov.cn/e';

/**
 * 办件回执 with the rating QR code (docs/protocols/platform-api.md §6): one receipt per case of an evaluation,
 * except a 批量 batch: its cases share one rating, so it gets one receipt with one QR code (the
 * first case's, listing the others) — several codes would invite several ratings of one
 * service. The second and later prints of an evaluation are marked 补打.
 */
export class Receipts {
  constructor(private readonly deps: ReceiptDeps) {}

  async printForEvaluation(evaluationId: string): Promise<{ copy: boolean }> {
    const core = this.deps;
    const printer = core.printer();
    const found = core.evaluations.get(evaluationId);
    if (!found) throw new DomainError('not_found', `没有这个评价 / no evaluation ${evaluationId}`);
    const status = printer?.status();
    if (!printer || !status || status.state !== 'ok') throw printerUnavailable(status?.state ?? 'absent');
    const { printId, copy } = core.evaluations.beginReceiptPrint(evaluationId);
    const hall = core.hall();
    const evaluationUrl = core.evaluationUrl() ?? DEFAULT_EVALUATION_URL;
    const issued = Math.floor((core.clock.now() + core.clockOffset.offsetMs()) / 1000);
    const { evaluation: ev, cases } = found;
    let printedCases = 0;
    try {
      const batch = ev.group_type === 'batch';
      const receiptCases = batch ? cases.slice(0, 1) : cases;
      for (const c of receiptCases) {
        const token = issueReceiptToken({
          projectNo: c.project_no,
          serviceNumber: c.service_number,
          deviceId: core.deviceId,
          deviceSecretB64: core.deviceSecret(),
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
            deviceId: core.deviceId,
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

function printerUnavailable(state: string, detail?: string): DomainError {
  return new DomainError(
    'printer_unavailable',
    `打印机不可用 / printer unavailable: ${detail ?? state}`,
    undefined,
    {
      printer: state,
    },
  );
}
