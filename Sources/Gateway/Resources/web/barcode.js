// Marionette capture-time bar code: painter and reader.
//
// The layout is defined in the comment block at the top of viewer.js (version 1); the runner's
// testsrc generator, Tests/e2e/barcode.py and this file implement exactly that definition.
// Loaded as a classic script; exposes `window.MarionetteBarcode`.
'use strict';

(function (global) {
  const CELLS = 80;
  const START = [1, 0, 1, 0];
  const STOP = [0, 1, 0, 1];
  const DATA_OFFSET = 4;     // first of the 64 time bits
  const CRC_OFFSET = 68;     // first of the 8 CRC bits
  const STOP_OFFSET = 76;
  const MIN_CONTRAST = 80;   // white − black mean luma (0..255) below this: no code in the frame
  const MIN_WIDTH = 320;

  /** Band height in pixels for a frame of width `width`. */
  function bandHeight(width) {
    return Math.max(4, Math.floor(width / CELLS));
  }

  /** Cell i spans [cellStart(i, w), cellStart(i + 1, w)). */
  function cellStart(i, width) {
    return Math.floor((i * width) / CELLS);
  }

  /** CRC-8, polynomial 0x07, init 0, no reflection, no final xor. */
  function crc8(bytes) {
    let crc = 0;
    for (const b of bytes) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc;
  }

  /** Big-endian 8 bytes of an integer millisecond value (< 2^53). */
  function timeBytes(ms) {
    const hi = Math.floor(ms / 0x100000000);
    const lo = ms >>> 0;
    return [hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff,
      lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
  }

  /** The 80 cell values (0/1) for a capture time in ms since the epoch. */
  function cellsFor(ms) {
    ms = Math.floor(ms);
    const bytes = timeBytes(ms);
    const bits = [...START];
    for (const b of bytes) for (let k = 7; k >= 0; k--) bits.push((b >> k) & 1);
    const crc = crc8(bytes);
    for (let k = 7; k >= 0; k--) bits.push((crc >> k) & 1);
    bits.push(...STOP);
    return bits;
  }

  /**
   * Paints the band (and the black quiet rows under it) onto a 2D context whose frame is
   * `width` × `height`. Pure black and white only, so RGB→YUV conversion cannot shift the levels.
   */
  function paint(ctx, width, ms) {
    const band = bandHeight(width);
    const bits = cellsFor(ms);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, width, band + Math.floor(band / 2));
    ctx.fillStyle = '#fff';
    for (let i = 0; i < CELLS; i++) {
      if (bits[i]) ctx.fillRect(cellStart(i, width), 0, cellStart(i + 1, width) - cellStart(i, width), band);
    }
  }

  /**
   * Reads the code from RGBA pixels of the frame's top rows (`data` as in ImageData, row stride
   * `width` × 4, at least bandHeight(width) rows). Returns the capture time in ms, or null when the
   * rows hold no valid code (guards, contrast or CRC wrong).
   */
  function decode(data, width) {
    if (width < MIN_WIDTH) return null;
    const band = bandHeight(width);
    // Sample the middle half of each cell in both directions, away from edges that the encoder's
    // blocks and chroma subsampling smear.
    const y0 = Math.floor(band / 4);
    const y1 = Math.max(y0 + 1, Math.ceil((band * 3) / 4));
    const luma = new Array(CELLS);
    for (let i = 0; i < CELLS; i++) {
      const a = cellStart(i, width);
      const b = cellStart(i + 1, width);
      const w = b - a;
      const x0 = a + Math.floor(w / 4);
      const x1 = Math.max(x0 + 1, b - Math.floor(w / 4));
      let sum = 0;
      let n = 0;
      for (let y = y0; y < y1; y++) {
        let p = (y * width + x0) * 4;
        for (let x = x0; x < x1; x++, p += 4) {
          sum += (data[p] * 77 + data[p + 1] * 150 + data[p + 2] * 29) >> 8;
          n++;
        }
      }
      luma[i] = sum / n;
    }
    // Levels from the guards: their known pattern gives the white and black references.
    const guards = [...START.map((v, k) => [v, luma[k]]), ...STOP.map((v, k) => [v, luma[STOP_OFFSET + k]])];
    const whites = guards.filter(([v]) => v === 1).map(([, l]) => l);
    const blacks = guards.filter(([v]) => v === 0).map(([, l]) => l);
    const white = whites.reduce((s, l) => s + l, 0) / whites.length;
    const black = blacks.reduce((s, l) => s + l, 0) / blacks.length;
    if (white - black < MIN_CONTRAST) return null;
    const threshold = (white + black) / 2;
    const bits = luma.map((l) => (l >= threshold ? 1 : 0));
    for (let k = 0; k < 4; k++) {
      if (bits[k] !== START[k] || bits[STOP_OFFSET + k] !== STOP[k]) return null;
    }
    const bytes = [];
    for (let j = 0; j < 8; j++) {
      let b = 0;
      for (let k = 0; k < 8; k++) b = (b << 1) | bits[DATA_OFFSET + j * 8 + k];
      bytes.push(b);
    }
    let crc = 0;
    for (let k = 0; k < 8; k++) crc = (crc << 1) | bits[CRC_OFFSET + k];
    if (crc !== crc8(bytes)) return null;
    const hi = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const lo = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    if (hi >= 0x200000) return null; // ≥ 2^53 ms: not a time a Number holds exactly
    return hi * 0x100000000 + lo;
  }

  global.MarionetteBarcode = Object.freeze({ CELLS, bandHeight, cellStart, cellsFor, crc8, paint, decode });
})(typeof window !== 'undefined' ? window : globalThis);
