import type { ReactNode } from 'react';

/** Shown in a browser that has no access token: the only way in is the daemon's link. */
export function NoTokenScreen({ origin, reason }: { origin: string; reason: string | null }): ReactNode {
  return (
    <main className="gate" aria-labelledby="gate-title">
      <div className="panel gate__panel">
        <h1 id="gate-title">Open BittAudio from the daemon&apos;s link</h1>
        {reason !== null && (
          <p className="alert" role="alert">
            {reason}
          </p>
        )}
        <p>
          This page needs the access token that the BittAudio daemon prints when it starts. Without it the daemon
          answers nobody, so that other programs and web pages on this machine cannot control your miner.
        </p>
        <ol>
          <li>
            Start the daemon with <code>bittaudio daemon</code> (or <code>npm start</code> from a source checkout).
          </li>
          <li>
            Open the link it prints. It looks like <code>{origin}/#token=…</code>
          </li>
        </ol>
        <p className="muted">The token is then remembered in this browser; the link removes it from the address bar.</p>
      </div>
    </main>
  );
}
