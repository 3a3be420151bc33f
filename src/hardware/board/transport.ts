/** A byte pipe to a board, plus an in-memory cable for the in-process simulator. */

export interface ByteTransport {
  readonly name: string;
  readonly isOpen: boolean;
  /** Rejects when the device cannot be reached; may be called again after a failure or close. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the bytes are handed to the OS; rejects when the port is not open. */
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called when the port closes by itself; disconnected = the device went away (unplug). */
  onClose(listener: (disconnected: boolean) => void): () => void;
}

/** Listener sets shared by the transports. */
export class TransportEvents {
  readonly data = new Set<(chunk: Uint8Array) => void>();
  readonly close = new Set<(disconnected: boolean) => void>();
  emitData(chunk: Uint8Array): void {
    for (const l of [...this.data]) l(chunk);
  }
  emitClose(disconnected: boolean): void {
    for (const l of [...this.close]) l(disconnected);
  }
  onData(l: (chunk: Uint8Array) => void): () => void {
    this.data.add(l);
    return () => this.data.delete(l);
  }
  onClose(l: (disconnected: boolean) => void): () => void {
    this.close.add(l);
    return () => this.close.delete(l);
  }
}

class MemoryEnd implements ByteTransport {
  readonly ev = new TransportEvents();
  open_ = false;
  peer!: MemoryEnd;

  constructor(
    readonly name: string,
    private readonly canOpen: () => boolean,
  ) {}

  get isOpen(): boolean {
    return this.open_;
  }
  open(): Promise<void> {
    if (!this.canOpen()) return Promise.reject(new Error(`${this.name}: no device`));
    this.open_ = true;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.open_ = false;
    return Promise.resolve();
  }
  write(data: Uint8Array): Promise<void> {
    if (!this.open_) return Promise.reject(new Error(`${this.name} is not open`));
    const copy = Uint8Array.from(data);
    const peer = this.peer;
    // Asynchronous like a real port, so no handler runs inside the writer's call stack.
    setImmediate(() => {
      if (peer.open_ && this.open_) peer.ev.emitData(copy);
    });
    return Promise.resolve();
  }
  onData(l: (chunk: Uint8Array) => void): () => void {
    return this.ev.onData(l);
  }
  onClose(l: (disconnected: boolean) => void): () => void {
    return this.ev.onClose(l);
  }
}

export interface MemoryTransportPair {
  /** The pad's end. It cannot be opened while the device end is closed (cable out). */
  host: ByteTransport;
  /** The board's end. Closing it is an unplug: the host end closes with disconnected = true. */
  device: ByteTransport;
}

export function createMemoryTransportPair(name = 'memory'): MemoryTransportPair {
  const device = new MemoryEnd(`${name}:device`, () => true);
  const host = new MemoryEnd(`${name}:host`, () => device.open_);
  host.peer = device;
  device.peer = host;
  const deviceClose = device.close.bind(device);
  device.close = async () => {
    await deviceClose();
    if (host.open_) {
      host.open_ = false;
      host.ev.emitClose(true);
    }
  };
  return { host, device };
}
