/** The server's words about one field, next to it; `id` is what the field's aria-describedby names. */
export function FieldError({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {messages.join("; ")}
    </p>
  );
}

/** The attributes that tie a field to its error. */
export function invalidProps(id: string, messages: readonly string[]) {
  return messages.length > 0 ? { "aria-invalid": true, "aria-describedby": id } : {};
}
