import { useRef, useState } from 'preact/hooks';

/**
 * A signing secret, the one time the API answers it (registration, rotation). It lives in this component's state
 * only: never in storage or the URL, gone once dismissed or the page is left, and the API never shows it again.
 */
export function SecretOnce({
  title,
  secret,
  onDismiss,
}: {
  title: string;
  secret: string;
  onDismiss: () => void;
}) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | undefined>(undefined);

  const copy = async () => {
    field.current?.select();
    try {
      // The clipboard API needs a secure context (https, or localhost); elsewhere the secret stays selected.
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('The browser refused the clipboard: the secret is selected, copy it with Ctrl+C.');
    }
  };

  return (
    <div class="secret-once" role="region" aria-label="Signing secret">
      <h2>{title}</h2>
      <p>
        <strong>Copy it now: it is shown this once.</strong> The API never answers it again; store it where
        the receiver verifies signatures. Lost, it can only be rotated.
      </p>
      <div class="search-row">
        <input
          ref={field}
          class="secret-value"
          type="text"
          readOnly
          aria-label="Secret"
          value={secret}
          spellcheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="button-primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
      {copied ? <p class="muted small">{copied}</p> : null}
    </div>
  );
}
