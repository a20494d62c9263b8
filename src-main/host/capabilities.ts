/**
 * What the app around the page can do, sent in the Host API's welcome so pages branch on
 * capabilities, not on the transport's name.
 */
import type { Capabilities } from '../../src-shared/schemas/wallet.js';

/** A page served by the daemon runs in a browser: extensions yes, tray and native dialogs no. */
export const BROWSER_CAPABILITIES: Capabilities = { extensionSigning: true, tray: false, fileDialogs: false };

/** Electron has no browser extensions; it has a tray and native file and folder dialogs. */
export const ELECTRON_CAPABILITIES: Capabilities = { extensionSigning: false, tray: true, fileDialogs: true };
