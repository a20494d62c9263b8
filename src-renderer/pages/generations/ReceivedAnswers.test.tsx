import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import type { ValidatorRound } from '../../../src-shared/schemas/validator.js';
import { EMPTY_ANSWERS, type ValidatorAnswersView } from '../../state/validator-answers.js';
import { answer, round } from '../../testing/validator-fixtures.js';
import { AnswerDetail, ReceivedAnswers, parseFilter } from './ReceivedAnswers.js';

const mediaUrl = (path: string): string => `http://127.0.0.1:1/media/${path}?token=t`;
const ROUNDS: ReadonlyMap<number, ValidatorRound> = new Map([[3, round(3)]]);

function list(view: ValidatorAnswersView): string {
  return renderToStaticMarkup(
    <ReceivedAnswers
      view={view}
      rounds={ROUNDS}
      connected
      validatorKnown
      mediaUrl={mediaUrl}
      onQuery={() => undefined}
    />,
  );
}

describe('Received (validator) answers', () => {
  it('says how answers arrive while there are none', () => {
    const html = list({ ...EMPTY_ANSWERS, items: [] });
    expect(html).toContain('No answers received yet.');
    expect(html).toContain('Start the validator on the Overview page');
    expect(list(EMPTY_ANSWERS)).toContain('Loading the answers…');
  });

  it('lists each answer with uid, round prompt, verdict and score, and the page range', () => {
    const html = list({
      ...EMPTY_ANSWERS,
      items: [
        answer(2),
        answer(1, { uid: 1, roundId: 9, failure: 'timeout', wavFile: null, scoreAfter: null, statusCode: 408 }),
      ],
      total: 40,
    });
    const rows = [...html.matchAll(/data-testid="validator-answer">(.*?)<\/li>/gs)].map((match) => match[1] ?? '');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('uid 2 · round 3 · “lofi beat number 3”');
    expect(rows[0]).toContain('>scored<');
    expect(rows[0]).toContain('score 0.68');
    // Round 9 is not known to this window: no prompt is invented for it.
    expect(rows[1]).toContain('uid 1 · round 9</span>');
    expect(rows[1]).toContain('>no audio<');
    expect(rows[1]).toContain('408 in');
    expect(html).toContain('Answers 1–2 of 40');
    expect(html).toMatch(/disabled="">Newer/);
    expect(html).not.toMatch(/disabled="">Older/);
  });

  it('shows why the listing failed', () => {
    const html = list({ ...EMPTY_ANSWERS, error: new HostApiError('unavailable', 'no validator store') });
    expect(html).toMatch(/role="alert" data-testid="answers-error"/);
    expect(html).toContain('no validator store');
  });

  it('reads filter text as numbers and refuses what is not one', () => {
    expect(parseFilter('', 'uid')).toEqual({ value: null, error: null });
    expect(parseFilter(' 7 ', 'uid')).toEqual({ value: 7, error: null });
    expect(parseFilter('-1', 'uid').error).toContain('whole number ≥ 0');
    expect(parseFilter('0', 'round').error).toContain('whole number ≥ 1');
    expect(parseFilter('1.5', 'round').error).not.toBeNull();
    expect(parseFilter('0.25', 'score')).toEqual({ value: 0.25, error: null });
    expect(parseFilter('abc', 'score').error).toContain('number ≥ 0');
  });
});

describe('an answer in detail', () => {
  function detail(...args: Parameters<typeof answer>): string {
    return renderToStaticMarkup(<AnswerDetail answer={answer(...args)} round={round(3)} mediaUrl={mediaUrl} />);
  }

  it('plays the answer from the media route and lists every raw and normalised metric', () => {
    const html = detail(5);
    expect(html).toContain('data-testid="waveform"');
    expect(html).toContain('href="http://127.0.0.1:1/media/validator/answer-5.wav?token=t"');
    expect(html).toContain('download="bittaudio-answer-3-uid2.wav"');
    const raw = /data-testid="answer-raw">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect(raw).toContain('<code>raw.kld</code></td><td>1.235</td>');
    expect(raw).toContain('<code>raw.clap</code></td><td>0.31</td>');
    const judgement = /data-testid="answer-judgement">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect(judgement).toContain('<code>normalizedKld</code></td><td>0.61</td>');
    expect(judgement).toContain('<code>note</code></td><td>scored</td>');
    expect(html).toMatch(/data-testid="answer-score">0.7 → 0.68</);
    expect(html).toMatch(/data-testid="answer-duplicate">original</);
    expect(html).toMatch(/data-testid="answer-rejection">none</);
    expect(html).toContain('5.00 s at 32000 Hz');
  });

  it("plays the round's reference clip beside the answer, from the media route", () => {
    const html = detail(5);
    const reference = /data-testid="reference-clip">(.*?)<\/section>/s.exec(html)?.[1] ?? '';
    expect(reference).toContain('Reference clip');
    expect(reference).toContain('“reference-3.wav”');
    expect(reference).toContain('data-testid="waveform"');
    expect(reference).toContain('href="http://127.0.0.1:1/media/validator/3-reference.wav?token=t"');
    expect(reference).toContain('download="bittaudio-reference-3.wav"');
    // The answer's own player stays on its side.
    const own = /data-testid="answer-clip">(.*?)<\/section>/s.exec(html)?.[1] ?? '';
    expect(own).toContain('media/validator/answer-5.wav');
    expect(own).not.toContain('reference');
  });

  it('says when a prompt had no reference clip, or when one was named but not kept', () => {
    const none = renderToStaticMarkup(
      <AnswerDetail
        answer={answer(5, { referenceWavFile: null })}
        round={round(3, { referenceName: null, referenceWavFile: null })}
        mediaUrl={mediaUrl}
      />,
    );
    const side = /data-testid="reference-clip">(.*?)<\/section>/s.exec(none)?.[1] ?? '';
    expect(side).toContain('No reference clip for this prompt.');
    expect(side).not.toContain('data-testid="waveform"');
    // Only the answer's player is on the page.
    expect(none.match(/data-testid="clip-player"/g)).toHaveLength(1);

    const older = renderToStaticMarkup(
      <AnswerDetail
        answer={answer(5, { referenceWavFile: null })}
        round={round(3, { referenceWavFile: null })}
        mediaUrl={mediaUrl}
      />,
    );
    expect(/data-testid="answer-reference">(.*?)<\/p>/.exec(older)?.[1]).toBe(
      'The round named “reference-3.wav” but its audio was not kept, so it cannot be played here.',
    );
  });

  it('shows a rejected, duplicate answer without audio in words', () => {
    const html = detail(6, {
      wavFile: null,
      failure: 'empty audio',
      metrics: {
        raw: null,
        duplicate: { hash: 'x', exact: true, near: null, duplicate: true },
        rejection: { kind: 'bad_signal', problems: ['silent'] },
        errors: ['KL: worker exited'],
      },
      scoreAfter: null,
    });
    const own = /data-testid="answer-clip">(.*?)<\/section>/s.exec(html)?.[1] ?? '';
    expect(own).not.toContain('data-testid="waveform"');
    expect(own).toContain('No audio: empty audio.');
    // The reference still plays: it shows what the miner was asked to match.
    expect(html.match(/data-testid="waveform"/g)).toHaveLength(1);
    expect(html).toMatch(/data-testid="answer-duplicate">exact duplicate of an earlier answer</);
    expect(html).toMatch(/data-testid="answer-rejection">bad signal: silent</);
    expect(html).toContain('Raw metrics: none recorded.');
    expect(html).toContain('KL: worker exited');
  });
});
