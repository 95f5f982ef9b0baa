// A destructive action that asks first: the button turns into the action
// and a way back, both keyboard reachable.
import { useState } from 'preact/hooks';

export interface ConfirmButtonProps {
  label: string; // "Delete…"
  confirm: string; // "Delete ci-sender"
  keep?: string; // "Cancel"
  onConfirm: () => void;
}

export function ConfirmButton({ label, confirm, keep = 'Cancel', onConfirm }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="secondary" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirm}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {keep}
      </button>
    </span>
  );
}
