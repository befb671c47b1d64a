import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with an ES default export: the loader and the type checker disagree on which
// object the default import is, so take whichever is the function.
const jsQR = (typeof jsQRModule === 'function' ? jsQRModule : jsQRModule.default) as typeof jsQRModule.default;

/** Reads the QR code in a `data:image/png;base64,...` image the way a phone camera would. */
export function decodeQrDataUrl(dataUrl: string): string {
  const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
  if (match === null) throw new Error('not a PNG data URL');
  const png = PNG.sync.read(Buffer.from(match[1]!, 'base64'));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (code === null) throw new Error('no QR code found in the image');
  return code.data;
}

/** The secret of an otpauth:// URI. */
export function secretOf(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret');
  if (secret === null) throw new Error('no secret in the otpauth URI');
  return secret;
}
