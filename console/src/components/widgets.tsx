import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { formatDateTime, pretty } from '../format';

/** An instant in the operator's zone; the exact ISO time on hover. */
export function Time({ iso, empty = '–' }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <span class="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)}
    </time>
  );
}

/** A status as a coloured label: `completed`, `failed`, `pending`, `replayed`… */
export function Badge({ status }: { status: string }) {
  return <span class={`badge badge-${status.replace(/_/g, '-')}`}>{status.replace(/_/g, ' ')}</span>;
}

/** What went wrong, in the API's words (its problem's title, detail, code and request id). */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.problem) {
    const { problem } = error;
    return (
      <div class="alert alert-error" role="alert">
        <strong>{problem.title}</strong>
        {problem.detail ? <span>: {problem.detail}</span> : null}
        {problem.errors?.length ? (
          <ul>
            {problem.errors.map((field) => (
              <li key={`${field.field}-${field.code}`}>{field.message}</li>
            ))}
          </ul>
        ) : null}
        <div class="alert-meta">
          {problem.code}
          {problem.requestId ? ` · request ${problem.requestId}` : ''}
        </div>
      </div>
    );
  }
  return (
    <div class="alert alert-error" role="alert">
      {error instanceof Error ? error.message : 'Something went wrong.'}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-info" role="status">
      {children}
    </div>
  );
}

/**
 * A button that asks first: the first click shows the consequence and a confirming button, so that a replay or a
 * discard is never one stray click (and no browser dialog interrupts the page).
 */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  onConfirm,
  danger = false,
  disabled = false,
}: {
  label: string;
  confirmLabel: string;
  question: ComponentChildren;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        class={danger ? 'button-danger' : ''}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span class="confirm">
      <span class="confirm-question">{question}</span>
      <button
        type="button"
        class={danger ? 'button-danger' : 'button-primary'}
        disabled={busy}
        onClick={() => void confirm()}
      >
        {confirmLabel}
      </button>
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="code">{typeof value === 'string' ? value : pretty(value)}</pre>;
}

/** Label and value pairs, as a definition list. */
export function Facts({ facts }: { facts: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {facts.map(([label, value]) => (
        <div key={label} class="fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
