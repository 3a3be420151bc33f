import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type {
  SetupBoardSearch,
  SetupPrinter,
  SetupPrinterCandidate,
  SetupPrintResult,
} from '../api/setup-contract.js';
import type { Logger } from '../domain/logger.js';
import { listSerialCandidates, SerialTransport } from '../hardware/board/index.js';
import { startKeyProbe, type KeyProbe, type ProbeOutcome } from '../hardware/board/key-probe.js';
import { createPrinter, VirtualDevice } from '../hardware/printer/index.js';
import { printerSettingsSchema, printerConfigFromSettings } from '../hardware/printer/settings.js';

/**
 * The setup screen's hardware (decisions 163, 164): the board found by a key press on it among
 * the candidate serial ports, and a printer checked by a test page. One board search at a time;
 * it closes every port it opened before the pad itself starts on the chosen one.
 */
export class SetupDevices {
  private probe: KeyProbe | null = null;
  private outcome: ProbeOutcome | null = null;
  private endsAt: number | null = null;

  constructor(
    private readonly o: {
      dataDir: string;
      fontDir: string;
      log: Logger;
      /** ports named for this pad besides the scan: the configured board.path, HCP_SETUP_PORTS */
      extraPorts: readonly string[];
      /** what lists the machine's serial ports (tests narrow it to their pty pairs) */
      listPorts?: (extra: readonly string[]) => Promise<string[]>;
      baudRate?: number;
      /** how long a search waits for the key when the screen does not say */
      boardTimeoutS?: number;
    },
  ) {}

  /** Candidate ports, one name per device (the udev link wins over the ttyACM it points to). */
  async boardCandidates(): Promise<string[]> {
    const all = await (this.o.listPorts ?? listSerialCandidates)(this.o.extraPorts);
    const seen = new Set<string>();
    return all.filter((p) => {
      let real = p;
      try {
        real = realpathSync(p);
      } catch {
        // gone since the listing: keep the name, opening it says why
      }
      if (seen.has(real)) return false;
      seen.add(real);
      return true;
    });
  }

  private timeoutS = 60;

  async findBoard(asked?: number): Promise<SetupBoardSearch> {
    await this.stopBoardSearch();
    const timeoutS = asked ?? this.o.boardTimeoutS ?? 60;
    this.timeoutS = timeoutS;
    const candidates = await this.boardCandidates();
    // Two searches started at once (a double tap): only the later one may hold the ports.
    await this.stopBoardSearch();
    const baud = this.o.baudRate ?? 115200;
    const probe = startKeyProbe({
      candidates,
      openTransport: (p) => new SerialTransport(p, baud),
      pathExists: (p) => existsSync(p),
      log: this.o.log,
      timeoutMs: timeoutS * 1000,
    });
    this.probe = probe;
    this.outcome = null;
    this.endsAt = Date.now() + timeoutS * 1000;
    void probe.outcome.then((r) => {
      if (this.probe === probe) this.outcome = r;
    });
    return this.boardSearch();
  }

  boardSearch(): SetupBoardSearch {
    const r = this.outcome;
    if (r)
      return {
        state: r.kind,
        ports: r.ports,
        found: r.kind === 'found' ? r.found : null,
        endsAt: null,
        timeoutS: this.timeoutS,
      };
    const timeoutS = this.timeoutS;
    if (!this.probe) return { state: 'idle', ports: [], found: null, endsAt: null, timeoutS };
    return { state: 'waiting', ports: this.probe.ports(), found: null, endsAt: this.endsAt, timeoutS };
  }

  /** Closes every port the search opened (before saving: the pad opens the chosen one next). */
  async stopBoardSearch(): Promise<void> {
    const p = this.probe;
    if (p && !this.outcome) this.outcome = await p.cancel();
  }

  /** The printers this machine could have: the virtual one, USB printer devices, serial ports. */
  async printerCandidates(exclude: readonly string[] = []): Promise<SetupPrinterCandidate[]> {
    const out: SetupPrinterCandidate[] = [
      {
        kind: 'virtual',
        label: `虚拟打印机（写入文件）/ virtual printer (files in ${join(this.o.dataDir, 'receipts')})`,
      },
    ];
    let usb: string[] = [];
    try {
      usb = readdirSync('/dev/usb').filter((n) => /^lp\d+$/.test(n));
    } catch {
      usb = [];
    }
    for (const n of usb.sort())
      out.push({ kind: 'usb', path: `/dev/usb/${n}`, label: `USB 打印机 / USB printer /dev/usb/${n}` });
    // The board under any of its names (/dev/hcp-board is a link to /dev/ttyACM0) is no printer.
    const skip = new Set(exclude.flatMap((p) => [p, realPathOf(p)]));
    for (const p of await (this.o.listPorts ?? listSerialCandidates)([]))
      if (!skip.has(p) && !skip.has(realPathOf(p)) && !basename(p).startsWith('hcp-board'))
        out.push({ kind: 'serial', path: p, label: `串口打印机 / serial printer ${p}` });
    return out;
  }

  /** Prints the test page (both languages, this pad's id and window, a sample QR) and says how it went. */
  async printTestPage(
    choice: SetupPrinter,
    pad: { deviceId: string; windowNo: string },
  ): Promise<SetupPrintResult> {
    const settings = printerSettingsSchema.parse(choice);
    const config = printerConfigFromSettings(settings, {
      outputDir: join(this.o.dataDir, 'receipts'),
      fontDir: this.o.fontDir,
    });
    if (!config) return { ok: false, detail: '未选打印机 / no printer chosen', preview: null };
    const printer = createPrinter(config);
    try {
      await printer.start();
      const before = printer.status();
      if (before.state !== 'ok')
        return {
          ok: false,
          detail: `打印机未就绪 / printer ${before.state}${before.detail ? `: ${before.detail}` : ''}`,
          preview: null,
        };
      const job = await printer.printTestPage(pad);
      const device = printer.device;
      const png =
        device instanceof VirtualDevice ? device.outputs.find((x) => x.jobId === job.jobId)?.png : undefined;
      return {
        ok: true,
        detail: `已发送测试页 / test page sent (${job.bytes} bytes${png ? `, ${basename(png)}` : ''})`,
        preview: png ? `data:image/png;base64,${(await readFile(png)).toString('base64')}` : null,
      };
    } catch (err) {
      return { ok: false, detail: `打印失败 / printing failed: ${(err as Error).message}`, preview: null };
    } finally {
      await printer.stop().catch(() => undefined);
    }
  }
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
