import type {
  SetupBoardSearch,
  SetupIdentity,
  SetupPrinterCandidate,
  SetupPrintResult,
  SetupPrintTest,
  SetupProbeAnswer,
  SetupSave,
} from '../../../src/api/setup-contract.js';
import { tokenFromHash } from '../api/token.js';

/** The setup server's calls, with the one-time token the server put in the page's address. */
async function post<T>(path: string, body: unknown): Promise<T> {
  const token = tokenFromHash(location.hash) ?? '';
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: string; message?: string };
  if (!res.ok) throw new Error(data.message ?? data.error ?? `HTTP ${res.status}`);
  return data;
}

export const testIdentity = (body: SetupIdentity) => post<SetupProbeAnswer>('/setup/api/test', body);
export const saveSetup = (body: SetupSave) =>
  post<{ ok: boolean; next?: string; probe: SetupProbeAnswer }>('/setup/api/save', body);
export const findBoard = () => post<SetupBoardSearch>('/setup/api/board/find', {});
export const boardSearch = () => post<SetupBoardSearch>('/setup/api/board/status', {});
export const cancelBoardSearch = () => post<SetupBoardSearch>('/setup/api/board/cancel', {});
export const printerCandidates = () =>
  post<{ candidates: SetupPrinterCandidate[] }>('/setup/api/printer/candidates', {});
export const printTestPage = (body: SetupPrintTest) =>
  post<SetupPrintResult>('/setup/api/printer/test', body);
