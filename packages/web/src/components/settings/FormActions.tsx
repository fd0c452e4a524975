/** A settings form's submit button, which says while the request runs, and the refusal beside it. */
interface Props {
  label: string;
  /** What the button says while the request runs ("Adding…"). */
  busyLabel: string;
  busy: boolean;
  /** Disabled for another reason too (a required field is empty). */
  incomplete?: boolean;
  error: string | null;
}

export function FormActions({ label, busyLabel, busy, incomplete = false, error }: Props) {
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={busy || incomplete}>
        {busy ? busyLabel : label}
      </button>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
