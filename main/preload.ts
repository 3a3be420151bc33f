/**
 * The only thing the renderer gets from Electron: the kiosk API, nothing else. Channel names are
 * fixed here; the main process validates the method and its params again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  CommandName,
  CommandParams,
  CommandResult,
  EventName,
  KioskClient,
  KioskEvents,
  WireMessage,
} from '../src/api/contract';

const api: KioskClient = {
  async invoke<K extends CommandName>(method: K, params: CommandParams<K>): Promise<CommandResult<K>> {
    const out = (await ipcRenderer.invoke('kiosk:invoke', method, params)) as Extract<
      WireMessage,
      { kind: 'result' }
    >;
    if (out.ok) return out.result as CommandResult<K>;
    throw Object.assign(new Error(out.error.message), out.error);
  },
  on<E extends EventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: EventName, payload: unknown) => {
      if (name === event) listener(payload as KioskEvents[E]);
    };
    ipcRenderer.on('kiosk:event', handler);
    return () => ipcRenderer.removeListener('kiosk:event', handler);
  },
};

contextBridge.exposeInMainWorld('kiosk', api);
