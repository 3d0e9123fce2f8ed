// Getting files in and out of the page: a download for exports, and reading a picked file as text.

/** Saves text or bytes as a file through a temporary link (no server involved). */
export function download(filename: string, data: string | Uint8Array | Blob, type = 'application/octet-stream'): void {
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: Chromium reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves a data URL (a canvas's PNG) as a file. */
export function downloadDataUrl(filename: string, dataUrl: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

/** The first file an <input type=file> holds, as text; null when none was picked. */
export async function pickedText(input: HTMLInputElement): Promise<{ name: string; text: string } | null> {
  const file = input.files?.[0];
  if (!file) return null;
  const text = await file.text();
  // Cleared so that picking the same file again fires change again.
  input.value = '';
  return { name: file.name, text };
}

/** A file-name-safe version of a label. */
export function fileStem(label: string): string {
  return label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'stepwise';
}
