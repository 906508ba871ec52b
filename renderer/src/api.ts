import type { HoplightApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    /** Exposed by the preload (or the e2e test bridge), built from the shared contract. */
    readonly hoplight: HoplightApi;
  }
}

/** The app's API to main; its type comes from the shared contract. */
export const api: HoplightApi = window.hoplight;
