/**
 * Zod compiles fast validators with `new Function` unless told not to. The page's CSP forbids
 * eval, and even Zod's guarded probe shows up as a CSP violation in the console, so it is turned
 * off before anything is parsed. Imported first by main.tsx for that reason.
 */
import { z } from 'zod';

z.config({ jitless: true });
