/**
 * The images a round's message carried, in the timeline. Fetched with the request's headers (the
 * workspace chosen in the switcher) and shown from a data URL, which the strict CSP allows.
 */
import type { ImageRef } from "@quire/protocol";
import { useEffect, useState } from "react";
import { announceUnauthenticated, credentialHeaders } from "../../api/credentials";
import "./images.css";

export type { ImageRef };

async function fetchAsDataUrl(url: string): Promise<string> {
  const response = await fetch(url, { headers: credentialHeaders("GET") });
  if (response.status === 401) announceUnauthenticated();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const blob = await response.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("unreadable image"));
    reader.readAsDataURL(blob);
  });
}

function StoredImage({ taskId, image, index }: { taskId: string; image: ImageRef; index: number }) {
  const [source, setSource] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!image.id) return;
    let live = true;
    fetchAsDataUrl(`/api/tasks/${encodeURIComponent(taskId)}/images/${encodeURIComponent(image.id)}`)
      .then((url) => live && setSource(url))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [taskId, image.id]);
  const label = `Image ${index + 1} (${image.media_type}, ${Math.ceil(image.bytes / 1024)} KiB)`;
  if (!source) return <span className="message-image-placeholder">{failed ? `${label}: not available` : label}</span>;
  return (
    <a className="message-image" href={source} target="_blank" rel="noreferrer" title={label}>
      <img src={source} alt={label} />
    </a>
  );
}

export function MessageImages({ taskId, images }: { taskId: string; images: readonly ImageRef[] }) {
  return (
    <div className="message-images">
      {images.map((image, index) => (
        <StoredImage key={image.id ?? index} taskId={taskId} image={image} index={index} />
      ))}
    </div>
  );
}
