import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import QRCode from 'qrcode';
import { generateTotpSecret, totpUri } from '../../src/security/totp.ts';
import { decodeQrDataUrl, rasteriseSvg } from '../helpers/qr.ts';

// The enrollment page's own options, so that the decoder is tested on what the page serves.
const svgOf = (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
const dataUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
const uri = totpUri({ brand: 'Fluxys', email: 'new.user@example.com', secret: generateTotpSecret() });

describe('QR decoder used by the tests', () => {
  it('reads the SVG data URL the enrollment page serves', async () => {
    assert.equal(decodeQrDataUrl(dataUrl(await svgOf(uri))), uri);
    const long = totpUri({ brand: 'A rather long brand name', email: 'someone.with.a.long.name@subdomain.example.org', secret: generateTotpSecret() });
    assert.equal(decodeQrDataUrl(dataUrl(await svgOf(long))), long);
  });

  it('draws every module where the encoder put it', async () => {
    const margin = 2;
    const scale = 4;
    const { modules } = QRCode.create(uri, { errorCorrectionLevel: 'M' });
    const image = rasteriseSvg(await svgOf(uri), scale);
    assert.equal(image.width, (modules.size + 2 * margin) * scale);
    const dark = (column: number, row: number) => {
      const at = (((row + margin) * scale + 1) * image.width + (column + margin) * scale + 1) * 4;
      const [r, g, b] = [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
      assert.ok((r === 0 && g === 0 && b === 0) || (r === 255 && g === 255 && b === 255), 'pure black or white');
      return r === 0;
    };
    for (let row = 0; row < modules.size; row++) {
      for (let column = 0; column < modules.size; column++) {
        assert.equal(dark(column, row), modules.get(row, column) === 1, `module ${column},${row}`);
      }
    }
    for (let p = 0; p < image.width * scale * margin * 4; p += 4) assert.equal(image.data[p], 255, 'the quiet zone is white');
  });

  it('fails on a damaged image instead of trusting it', async () => {
    const svg = await svgOf(uri);
    assert.throws(() => decodeQrDataUrl(dataUrl(svg.replace('stroke="#000000"', 'stroke="#ffffff"'))), /no QR code/);
    // Half of the rows gone: the lower finder pattern and most of the data with them.
    const cut = svg.replace(/ d="(M[^"]*)"\/><\/svg>/, (_, d: string) => ` d="${d.slice(0, d.indexOf('M', d.length / 2))}"/></svg>`);
    assert.notEqual(cut, svg);
    let read: string | undefined;
    try {
      read = decodeQrDataUrl(dataUrl(cut));
    } catch {
      read = undefined;
    }
    assert.notEqual(read, uri);
    // Every dark run in the middle rows moved one module right: far more damage than level M repairs.
    const shifted = svg.replace(/M(\d+) (1\d|2[0-4])\.5/g, (_, x: string, y: string) => `M${Number(x) + 1} ${y}.5`);
    assert.notEqual(shifted, svg);
    assert.throws(() => decodeQrDataUrl(dataUrl(shifted)), /no QR code/);
  });

  it('refuses markup it cannot draw faithfully', async () => {
    const svg = await svgOf(uri);
    assert.throws(() => decodeQrDataUrl(dataUrl(svg.replace('<path', '<rect width="1" height="1"/><path'))), /unsupported SVG content/);
    assert.throws(() => decodeQrDataUrl(dataUrl(svg.replace('<path', '<path transform="scale(2)"'))), /unsupported <path> attribute/);
    assert.throws(() => decodeQrDataUrl(dataUrl(svg.replace('h7', 'c1 1 2 2 7 0'))), /unsupported path command/);
    assert.throws(() => decodeQrDataUrl('data:text/plain;base64,aGVsbG8='), /not a PNG or SVG data URL/);
  });

  it('still reads PNG data URLs, which is what browser screenshots give', async () => {
    assert.equal(decodeQrDataUrl(await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 })), uri);
  });
});
