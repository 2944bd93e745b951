import { selectBackend, type BackendRequest } from '../../src/index.js';

/** Tests run on the wasm backend unless ARCHBUNDLE_TEST_BACKEND says otherwise. */
export async function useTestBackend(): Promise<void> {
  await selectBackend((process.env.ARCHBUNDLE_TEST_BACKEND as BackendRequest | undefined) ?? 'wasm');
}
