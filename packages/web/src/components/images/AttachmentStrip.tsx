/** The images attached to a message being written: thumbnails to remove, and a picker to add more. */
import { useRef } from "react";
import { IMAGE_TYPES, type ImageAttachments } from "./use-image-attachments";
import "./images.css";

export function AttachmentStrip({ images }: { images: ImageAttachments }) {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <div className="attachments">
      {images.attachments.map((attachment, index) => (
        <figure className="attachment" key={`${index}-${attachment.name}`}>
          <img src={attachment.dataUrl} alt={attachment.name} title={attachment.name} />
          <button type="button" aria-label={`Remove ${attachment.name}`} onClick={() => images.remove(index)}>
            ×
          </button>
        </figure>
      ))}
      <button type="button" className="attach-button" onClick={() => picker.current?.click()}>
        Attach image
      </button>
      <input
        ref={picker}
        type="file"
        aria-label="Attach images"
        accept={IMAGE_TYPES.join(",")}
        multiple
        hidden
        onChange={(event) => {
          void images.add([...(event.target.files ?? [])]);
          event.target.value = "";
        }}
      />
      {images.error && (
        <span className="attachment-error" role="alert">
          {images.error}
        </span>
      )}
    </div>
  );
}
