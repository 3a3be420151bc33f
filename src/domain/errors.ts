/**
 * A rule of the pad said no: busy window, wrong PIN, not cancellable… Services throw it; each
 * transport (the command dispatcher, the window API) maps it to its own error answer, so the
 * services know nothing of either transport. `code` is the stable word the API contract names.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    /** facts for the answer beyond code and message (e.g. `{ printer: 'paper_out' }`) */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
