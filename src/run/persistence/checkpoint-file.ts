// One checkpoint as one byte string, so a file store can write it with a single atomic rename and
// a loader can tell a complete checkpoint from a torn or damaged one:
//
//   "SWCK" | u32 format version | u32 header length | header (UTF-8 JSON) | blob bytes…
//
// All integers little-endian. The header holds iteration, createdAt, meta, each blob's name,
// offset and length (offsets relative to the end of the header), the total payload length and a
// CRC-32 of the payload. unpack refuses anything whose lengths or checksum do not add up.

import type { Checkpoint, Json } from './store';

const MAGIC = 0x4b435753; // "SWCK" read as a little-endian u32
const FORMAT = 1;
const PREFIX = 12;

interface Header {
  iteration: number;
  createdAt: string;
  meta: { [key: string]: Json };
  blobs: [name: string, offset: number, length: number][];
  payload: number;
  crc32: number;
}

let table: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3, as zip and PNG use). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function packCheckpoint(c: Checkpoint): Uint8Array {
  const names = Object.keys(c.blobs);
  let offset = 0;
  const blobs: Header['blobs'] = names.map((name) => {
    const entry: [string, number, number] = [name, offset, c.blobs[name].byteLength];
    offset += c.blobs[name].byteLength;
    return entry;
  });
  const payload = new Uint8Array(offset);
  for (const [name, at] of blobs) payload.set(c.blobs[name], at);
  const header: Header = { iteration: c.iteration, createdAt: c.createdAt, meta: c.meta, blobs, payload: offset, crc32: crc32(payload) };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX + head.length + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FORMAT, true);
  dv.setUint32(8, head.length, true);
  out.set(head, PREFIX);
  out.set(payload, PREFIX + head.length);
  return out;
}

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

/** The checkpoint in `bytes`; throws CheckpointFormatError saying why it is incomplete or damaged. */
export function unpackCheckpoint(bytes: Uint8Array): Checkpoint {
  const bad = (why: string): never => { throw new CheckpointFormatError(why); };
  if (bytes.length < PREFIX) bad(`${bytes.length} bytes, shorter than the ${PREFIX}-byte prefix`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) bad('not a Stepwise checkpoint (bad magic)');
  if (dv.getUint32(4, true) !== FORMAT) bad(`unknown checkpoint format ${dv.getUint32(4, true)}`);
  const headLen = dv.getUint32(8, true);
  if (PREFIX + headLen > bytes.length) bad(`header of ${headLen} bytes runs past the end (${bytes.length} bytes): torn write`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + headLen))) as Header;
  } catch {
    return bad('header is not JSON');
  }
  const start = PREFIX + headLen;
  if (bytes.length - start !== header.payload) bad(`payload is ${bytes.length - start} bytes, the header says ${header.payload}: torn write`);
  const payload = bytes.subarray(start);
  if (crc32(payload) !== header.crc32) bad('payload checksum mismatch: damaged');
  const blobs: Checkpoint['blobs'] = {};
  for (const [name, at, len] of header.blobs) {
    if (at + len > payload.length) bad(`blob "${name}" runs past the payload`);
    blobs[name] = payload.slice(at, at + len);
  }
  return { iteration: header.iteration, createdAt: header.createdAt, meta: header.meta, blobs };
}
