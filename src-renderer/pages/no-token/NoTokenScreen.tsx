import type { ReactNode } from 'react';
import { InlineCode } from '../../components/InlineCode.js';
import './no-token.css';

/** Shown in a browser that has no access token: the only way in is the daemon's link. */
export function NoTokenScreen({ origin, reason }: { origin: string; reason: string | null }): ReactNode {
  return (
    <main className="gate" aria-labelledby="gate-title">
      <div className="panel gate__panel">
        <h1 id="gate-title">Open BittAudio from the daemon&apos;s link</h1>
        {reason !== null && (
          <p className="alert" role="alert">
            <InlineCode text={reason} />
          </p>
        )}
        <p>
          This page needs the access token that the BittAudio daemon prints when it starts. Without it the daemon
          answers nobody, so that other programs and web pages on this machine cannot control your miner.
        </p>
        <ol>
          <li>
            Start BittAudio: <code>npm start</code> in its folder, or <code>bittaudio daemon</code> where it is
            installed as a command.
          </li>
          <li>
            Open the link it prints, in this tab or another. It looks like <code>{origin}/#token=…</code>
          </li>
        </ol>
        <p className="muted">The token is then remembered in this browser; the link removes it from the address bar.</p>
      </div>
    </main>
  );
}
