/**
 * The part of a WebSocket that the client uses. Both the browser's WebSocket and the `ws`
 * package's class fit it, so the client runs unchanged in the page and in Node tests.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number; readonly reason: string }) => void): void;
}

export type SocketConstructor = new (url: string, protocols: string[]) => SocketLike;

/** readyState of an open socket (the same number in browsers and in `ws`). */
export const SOCKET_OPEN = 1;
