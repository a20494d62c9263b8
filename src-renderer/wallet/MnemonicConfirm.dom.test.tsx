// @vitest-environment jsdom
/** The mnemonic confirmation as a person uses it: typed answers, a refusal, a retry, success. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MnemonicConfirm } from './WalletSetup.js';

const MNEMONIC = 'old leopard transfer rib spatial phone calm indicate online fire caution review';

afterEach(() => cleanup());

describe('MnemonicConfirm', () => {
  it('shows the words once, asks three of them back, refuses a wrong one and confirms the right ones', () => {
    let confirmed = 0;
    render(<MnemonicConfirm mnemonic={MNEMONIC} positions={[0, 5, 11]} onConfirmed={() => confirmed++} />);
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(MNEMONIC.split(' '));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'I wrote them down' })));
    // The words are gone while they are asked for.
    expect(screen.queryByRole('listitem')).toBeNull();
    const first = screen.getByLabelText('1st word');
    const sixth = screen.getByLabelText('6th word');
    const twelfth = screen.getByLabelText('12th word');
    act(() => {
      fireEvent.change(first, { target: { value: 'old' } });
      fireEvent.change(sixth, { target: { value: 'phones' } });
      fireEvent.change(twelfth, { target: { value: 'Review' } });
    });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Confirm' })));
    expect(confirmed).toBe(0);
    expect(screen.getByRole('alert').textContent).toMatch(/6th word is not right/);
    expect(sixth.getAttribute('aria-invalid')).toBe('true');
    act(() => fireEvent.change(sixth, { target: { value: 'phone' } }));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Confirm' })));
    expect(confirmed).toBe(1);
  });

  it('can show the words again before confirming', () => {
    render(<MnemonicConfirm mnemonic={MNEMONIC} positions={[1, 2, 3]} onConfirmed={() => undefined} />);
    act(() => fireEvent.click(screen.getByRole('button', { name: 'I wrote them down' })));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Show the words again' })));
    expect(screen.getAllByRole('listitem')).toHaveLength(12);
  });
});
