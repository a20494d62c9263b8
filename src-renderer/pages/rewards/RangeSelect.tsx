/** The Rewards page's time range picker, shared by the miner's and the validator's sections. */
import { REWARD_RANGES, type RewardRange } from '../../validator-text.js';

export function RangeSelect({
  value,
  onChange,
  testId,
}: {
  value: RewardRange;
  onChange: (range: RewardRange) => void;
  testId: string;
}) {
  return (
    <label className="field field--inline">
      <span>Range</span>
      <select value={value} onChange={(event) => onChange(event.target.value as RewardRange)} data-testid={testId}>
        {REWARD_RANGES.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.label}
          </option>
        ))}
      </select>
    </label>
  );
}
