// @vitest-environment jsdom
/** Received answers as a person uses them: pick a scored answer, find it and its reference side by side. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ValidatorRound } from '../../../src-shared/schemas/validator.js';
import { EMPTY_ANSWERS } from '../../state/validator-answers.js';
import { answer, round } from '../../testing/validator-fixtures.js';
import { ReceivedAnswers } from './ReceivedAnswers.js';

const mediaUrl = (path: string): string => `http://127.0.0.1:1/media/${path}?token=t`;

afterEach(() => cleanup());

function show(rounds: ReadonlyMap<number, ValidatorRound>, items = [answer(2), answer(1, { uid: 1 })]): void {
  render(
    <ReceivedAnswers
      view={{ ...EMPTY_ANSWERS, items, total: items.length }}
      rounds={rounds}
      connected
      validatorKnown
      mediaUrl={mediaUrl}
      onQuery={() => undefined}
    />,
  );
}

describe('Received answers, clicked', () => {
  it('shows the chosen answer with its own player and the round reference beside it', () => {
    show(new Map([[3, round(3)]]));
    expect(screen.queryByTestId('answer-detail')).toBeNull();
    const rows = within(screen.getByRole('list', { name: 'Received answers' })).getAllByRole('button');
    act(() => fireEvent.click(rows[1] as HTMLElement));

    const own = screen.getByRole('region', { name: 'Answer of uid 1' });
    const reference = screen.getByRole('region', { name: /^Reference clip/ });
    expect(within(reference).getByTestId('reference-name').textContent).toContain('reference-3.wav');
    for (const [side, file] of [
      [own, 'validator/answer-1.wav'],
      [reference, 'validator/3-reference.wav'],
    ] as const) {
      expect(within(side).getByRole('group', { name: 'Waveform' })).toBeTruthy();
      expect(within(side).getByRole('button', { name: 'Play' })).toBeTruthy();
      expect(within(side).getByTestId('clip-save').getAttribute('href')).toBe(mediaUrl(file));
    }
  });

  it('says there is no reference clip for a prompt that had none, and offers one player only', () => {
    show(new Map([[3, round(3, { referenceName: null, referenceWavFile: null })]]), [
      answer(4, { referenceWavFile: null }),
    ]);
    act(() => fireEvent.click(screen.getByRole('button', { name: /uid 2 · round 3/ })));
    const reference = screen.getByRole('region', { name: 'Reference clip' });
    expect(within(reference).getByTestId('answer-reference').textContent).toBe('No reference clip for this prompt.');
    expect(within(reference).queryByRole('button', { name: 'Play' })).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Play' })).toHaveLength(1);
  });
});
