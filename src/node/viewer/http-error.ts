/**
 * An HTTP error of the viewer's server with the code its ErrorResponse carries. Errors thrown by
 * the rest of archbundle (ArchbundleError) keep their own codes; these add the few that only HTTP
 * has: E_BAD_REQUEST (400), E_FORBIDDEN (403), E_NOT_FOUND (404), E_METHOD (405), E_RANGE (416).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers the status calls for (405: Allow; 416: Content-Range). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
