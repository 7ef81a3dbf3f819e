/** CRC-32 (IEEE), the checksum PocketBase derives default collection and field ids from. */

const TABLE: readonly number[] = (() => {
  const table: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table.push(c >>> 0);
  }
  return table;
})();

/** The unsigned CRC-32 of a string's UTF-8 bytes, in decimal (as PocketBase prints it). */
export function crc32Checksum(text: string): string {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return String((crc ^ 0xffffffff) >>> 0);
}
