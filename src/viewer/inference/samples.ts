/** Test examples from the local server (GET /api/samples), their pixels decoded from base64. */
import { EnvironmentError, type ErrorCode } from '../../core/errors.js';
import type { ErrorResponse, SamplesResponse } from '../../core/viewer-protocol.js';

export interface Samples extends Omit<SamplesResponse, 'pixels'> {
  /** count × height × width × channels bytes, NHWC. */
  pixels: Uint8Array;
}

/** Examples per request (the server answers at most 2,000 at a time). */
const PAGE = 1000;

/**
 * The first `count` test examples of `dataset` (fewer when the split is smaller), a page at a
 * time, so that the model can run on one page while the next is on its way.
 */
export async function* samplePages(dataset: string, count: number): AsyncGenerator<Samples> {
  let offset = 0;
  let end = count;
  while (offset < end) {
    const page = await fetchSamples(dataset, offset, Math.min(PAGE, end - offset));
    end = Math.min(end, page.total);
    if (page.count === 0) return;
    yield page;
    offset += page.count;
  }
}

/** `count` test examples of `dataset` from `offset` on; the server's coded error when it refuses. */
async function fetchSamples(dataset: string, offset: number, count: number): Promise<Samples> {
  const url = new URL('api/samples', location.href);
  url.search = new URLSearchParams({ dataset, offset: String(offset), count: String(count) }).toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot fetch test samples of ${dataset}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as ErrorResponse | null;
    if (body?.error?.code) throw new EnvironmentError(body.error.code as ErrorCode, body.error.message);
    throw new EnvironmentError('E_IO', `cannot fetch test samples of ${dataset}: HTTP ${response.status} ${response.statusText}`);
  }
  const body = (await response.json()) as SamplesResponse;
  const pixels = base64Bytes(body.pixels);
  const [height, width, channels] = body.shape;
  if (pixels.length !== body.count * height * width * channels || body.targets.length !== body.count) {
    throw new EnvironmentError(
      'E_DATA_INVALID',
      `the server sent ${pixels.length} pixel values and ${body.targets.length} targets for ${body.count} examples of ${body.shape.join('×')}`,
    );
  }
  return { ...body, pixels };
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
