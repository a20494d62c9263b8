/**
 * One stored clip: its waveform (wavesurfer.js), Play / Pause, a position slider, Save WAV. The
 * audio plays through a visible-to-scripts <audio> element that wavesurfer drives, at a volume set
 * from the clip's measured loudness (audio/preview-gain.ts) before Play is offered.
 */
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import WaveSurfer from 'wavesurfer.js';
import type { StoredGenerationItem } from '../../../src-shared/schemas/generation.js';
import { levelsOf } from '../../audio/levels-of.js';
import { UNMEASURED_VOLUME, amplitudeToDbfs, previewVolume } from '../../audio/preview-gain.js';
import { cspNonce } from '../../csp-nonce.js';

/** The rate the clip is decoded at for the waveform and the loudness measurement (see below). */
const MEASURE_SAMPLE_RATE = 48_000;

type Phase = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

/** `0:03.4` */
export function formatClock(seconds: number): string {
  const safe = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const minutes = Math.floor(safe / 60);
  return `${minutes}:${(safe - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function ClipPlayer({
  item,
  url,
  fileName = `bittaudio-${item.id}.wav`,
}: {
  /** Only what the player needs, so a validator's received answer plays here too. */
  item: Pick<StoredGenerationItem, 'id' | 'durationSeconds'>;
  url: string;
  fileName?: string;
}): ReactNode {
  const waveformRef = useRef<HTMLDivElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const surferRef = useRef<WaveSurfer | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(item.durationSeconds);
  const [volume, setVolume] = useState<number | null>(null);

  useEffect(() => {
    const container = waveformRef.current;
    const media = audioRef.current;
    if (container === null || media === null) return;
    // Safe before the clip is measured: as if it were full-scale noise.
    media.volume = UNMEASURED_VOLUME;
    setPhase({ kind: 'loading' });
    setPlaying(false);
    setTime(0);
    setVolume(null);
    const surfer = WaveSurfer.create({
      container,
      media,
      url,
      height: 96,
      // wavesurfer decodes at 8 kHz by default, which drops most of a noisy clip's energy and
      // would make it measure ~7 dB quieter than it plays; 48 kHz keeps the whole band.
      sampleRate: MEASURE_SAMPLE_RATE,
      normalize: true,
      barWidth: 2,
      barGap: 1,
      barRadius: 1,
      waveColor: cssColor('--text-muted', '#8a93a3'),
      progressColor: cssColor('--accent', '#7aa7ff'),
      cursorColor: cssColor('--text', '#d9dee7'),
      cspNonce: cspNonce(),
    });
    surferRef.current = surfer;
    const unsubscribe = [
      surfer.on('ready', (seconds) => {
        const safe = previewVolume(levelsOf(surfer.getDecodedData()));
        surfer.setVolume(safe);
        setVolume(safe);
        setDuration(seconds);
        setPhase({ kind: 'ready' });
      }),
      surfer.on('play', () => setPlaying(true)),
      surfer.on('pause', () => setPlaying(false)),
      surfer.on('finish', () => setPlaying(false)),
      surfer.on('timeupdate', (seconds) => setTime(seconds)),
      surfer.on('error', (error) => setPhase({ kind: 'error', message: error.message })),
    ];
    return () => {
      for (const off of unsubscribe) off();
      surferRef.current = null;
      surfer.destroy();
    };
  }, [url]);

  const ready = phase.kind === 'ready';
  return (
    <div className="player" data-testid="clip-player">
      <div
        className="player__waveform"
        ref={waveformRef}
        role="group"
        aria-label="Waveform"
        aria-busy={phase.kind === 'loading'}
        data-testid="waveform"
      />
      {/* Driven by wavesurfer; no controls of its own, so its volume cannot be raised past the safe one. */}
      <audio ref={audioRef} preload="auto" aria-label="Clip audio" data-testid="clip-audio" />
      <div className="player__controls">
        <button
          type="button"
          className="button"
          disabled={!ready}
          onClick={() => void surferRef.current?.playPause()}
          data-testid="clip-play"
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <input
          type="range"
          className="player__seek"
          min={0}
          max={duration > 0 ? duration : 1}
          step={0.01}
          value={Math.min(time, duration)}
          disabled={!ready}
          aria-label="Position"
          aria-valuetext={`${formatClock(time)} of ${formatClock(duration)}`}
          onChange={(event) => surferRef.current?.setTime(Number(event.target.value))}
        />
        <span className="player__time muted" data-testid="clip-time">
          {formatClock(time)} / {formatClock(duration)}
        </span>
        <a className="button" href={url} download={fileName} data-testid="clip-save">
          Save WAV
        </a>
      </div>
      <p className="setting__help" role="status" data-testid="clip-status">
        {phase.kind === 'loading'
          ? 'Loading the clip…'
          : phase.kind === 'error'
            ? `Could not load the clip: ${phase.message}`
            : volume !== null && volume < 1
              ? `Played ${Math.round(-amplitudeToDbfs(volume))} dB quieter, so that it is no louder than −20 dBFS.`
              : 'Played at its own level.'}
      </p>
    </div>
  );
}
