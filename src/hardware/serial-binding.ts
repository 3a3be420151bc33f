/**
 * The serial binding the pad opens its ports with (decision 216): serialport's own Linux binding,
 * except that a read or a write is one non-blocking system call on the event loop's thread
 * instead of a job for libuv's thread pool.
 *
 * Why: serialport's binding hands every read and every write to the thread pool, which has four
 * threads shared with everything else the process does there — DNS look-ups of the platform's
 * host (each can hang for the resolver's whole time-out while the network is down), file writes of
 * logs and exports on a slow eMMC, zlib. Four of those at once and a citizen's key press waits
 * in a queue behind them, and so does its acknowledgement and the star's LED. A thread hop also
 * costs each frame a context switch or two on a small board; the press → LED path has four.
 *
 * Safe because serialport opens every port with O_NONBLOCK (tests/integration/hardware checks
 * the flag on the open descriptor): a call never waits; when the device has nothing to give or no
 * room to take, it says EAGAIN and the binding's own poller (epoll, no thread) wakes us when it
 * has. Other platforms keep serialport's binding as it is. Opening, closing, termios settings and
 * drain (the printer's) still go to the pool: none is on the path of a press.
 */
import { EventEmitter } from 'node:events';
import { readSync, writeSync } from 'node:fs';
import { autoDetect, BindingsError, LinuxPortBinding } from '@serialport/bindings-cpp';
import type { SerialPortStream } from '@serialport/stream';

// The binding interface's own package declares no types for ES-module importers; the stream's
// constructor names the same interface.
type Binding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];
type BindingPort = Awaited<ReturnType<Binding['open']>>;

const detected: Binding = autoDetect();

/** The native poller's event flags (bindings-cpp poller.js `EVENTS`). */
const POLL_READABLE = 0b01;
const POLL_WRITABLE = 0b10;

/** The calls that mean "not now": wait for the poller and try again. */
function notNow(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

/** One open port: reads and writes here, everything else (termios, drain, close) by serialport. */
class EventLoopPort implements BindingPort {
  private pendingWrite: Promise<void> | null = null;

  constructor(private readonly inner: LinuxPortBinding) {}

  get openOptions(): LinuxPortBinding['openOptions'] {
    return this.inner.openOptions;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (buffer.length < offset + length) throw new RangeError('the read buffer is too small');
    for (;;) {
      const fd = this.inner.fd;
      // A read in progress when the port closes must end "canceled": the stream then ends quietly.
      if (fd === null) throw new BindingsError('Port is not open', { canceled: true });
      try {
        const bytesRead = readSync(fd, buffer, offset, length, null);
        if (bytesRead > 0) return { buffer, bytesRead };
      } catch (err) {
        if (!notNow(err)) throw err;
      }
      await this.when('readable');
    }
  }

  write(buffer: Buffer): Promise<void> {
    if (!this.inner.isOpen) return Promise.reject(new Error('Port is not open'));
    const op = this.writeAll(buffer).finally(() => {
      if (this.pendingWrite === op) this.pendingWrite = null;
    });
    this.pendingWrite = op;
    return op;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const fd = this.inner.fd;
      if (fd === null) throw new BindingsError('Port is not open', { canceled: true });
      try {
        offset += writeSync(fd, buffer, offset, buffer.length - offset);
      } catch (err) {
        if (!notNow(err)) throw err;
        await this.when('writable');
      }
    }
  }

  /** The poller's next event; closing the port makes it fail "canceled". */
  private when(event: 'readable' | 'writable'): Promise<void> {
    return new Promise((resolve, reject) => {
      const poller = this.inner.poller;
      // EventEmitter's own once: the poller's would also poll for this event alone first.
      EventEmitter.prototype.once.call(poller, event, (err: Error | null) => (err ? reject(err) : resolve()));
      // The native poller restarts its watch with only the event just asked for, dropping the
      // other: a read waiting again would leave a write waiting for room forever (and the
      // reverse). serialport's thread-pool hop hid that; here every waited-for event is asked for.
      poller.poll(
        (poller.listenerCount('readable') > 0 ? POLL_READABLE : 0) |
          (poller.listenerCount('writable') > 0 ? POLL_WRITABLE : 0),
      );
    });
  }

  async drain(): Promise<void> {
    // Drained means written first: the write in progress, then the device's output queue.
    await this.pendingWrite?.catch(() => undefined);
    return this.inner.drain();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  update(options: Parameters<LinuxPortBinding['update']>[0]): Promise<void> {
    return this.inner.update(options);
  }
  set(options: Parameters<LinuxPortBinding['set']>[0]): Promise<void> {
    return this.inner.set(options);
  }
  get(): ReturnType<LinuxPortBinding['get']> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
}

/** serialport's binding for this platform, with reads and writes on the event loop on Linux. */
export const serialBinding: Binding = {
  list: () => detected.list(),
  async open(options: Parameters<Binding['open']>[0]): Promise<BindingPort> {
    const port = await detected.open(options);
    return port instanceof LinuxPortBinding ? new EventLoopPort(port) : port;
  },
};
