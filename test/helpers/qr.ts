import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with an ES default export: the loader and the type checker disagree on which
// object the default import is, so take whichever is the function.
const jsQR = (typeof jsQRModule === 'function' ? jsQRModule : jsQRModule.default) as typeof jsQRModule.default;

/** An RGBA picture, what jsqr reads. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * Reads the QR code in an image data URL the way a phone camera would: the pixels are drawn first and
 * jsqr finds and decodes the code in them, so a damaged image fails instead of being trusted.
 * The page serves `data:image/svg+xml;base64,...`; browser screenshots arrive as `data:image/png;base64,...`.
 */
export function decodeQrDataUrl(dataUrl: string): string {
  const image = rasteriseDataUrl(dataUrl);
  const code = jsQR(image.data, image.width, image.height);
  if (code === null) throw new Error('no QR code found in the image');
  return code.data;
}

/** The secret of an otpauth:// URI. */
export function secretOf(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret');
  if (secret === null) throw new Error('no secret in the otpauth URI');
  return secret;
}

function rasteriseDataUrl(dataUrl: string): Raster {
  const match = /^data:(image\/png|image\/svg\+xml)(;base64)?,(.*)$/s.exec(dataUrl);
  if (match === null) throw new Error('not a PNG or SVG data URL');
  const [, type, base64, payload] = match as unknown as [string, string, string | undefined, string];
  const bytes = base64 === undefined ? Buffer.from(decodeURIComponent(payload), 'utf8') : Buffer.from(payload, 'base64');
  if (type === 'image/png') {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
  }
  return rasteriseSvg(bytes.toString('utf8'));
}

// The SVG rasteriser below draws only what an SVG renderer would draw for the markup it understands and
// refuses everything else, so that a change in what the page serves fails the tests loudly rather than
// being read by a rasteriser that guessed. It understands what the `qrcode` package emits: an <svg>
// with a viewBox holding <path> elements, a filled background and a stroked path of horizontal runs.

/** Pixels per SVG user unit; qrcode makes one unit one module, and a camera needs a few pixels per module. */
const PIXELS_PER_UNIT = 4;

type Point = readonly [x: number, y: number];
interface Paint {
  readonly rgb: readonly [number, number, number];
  readonly alpha: number;
}

/** Draws an SVG document into an RGBA raster; what the document leaves unpainted stays white. */
export function rasteriseSvg(svg: string, scale = PIXELS_PER_UNIT): Raster {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<svg\b([^>]*)>([\s\S]*)<\/svg>\s*$/.exec(svg);
  if (root === null) throw new Error('not an SVG document');
  const rootAttributes = attributesOf(root[1]!);
  const viewBox = (rootAttributes.get('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  if (viewBox.length !== 4 || viewBox.some((n) => !Number.isFinite(n))) throw new Error('the SVG has no usable viewBox');
  const [minX, minY, unitsWide, unitsHigh] = viewBox as [number, number, number, number];
  if (minX !== 0 || minY !== 0 || unitsWide <= 0 || unitsHigh <= 0) throw new Error('unsupported viewBox');
  for (const name of rootAttributes.keys()) {
    if (!['xmlns', 'viewBox', 'width', 'height', 'shape-rendering'].includes(name)) throw new Error(`unsupported <svg> attribute ${name}`);
  }

  const width = Math.round(unitsWide * scale);
  const height = Math.round(unitsHigh * scale);
  const data = new Uint8ClampedArray(width * height * 4).fill(255);

  const body = root[2]!;
  const element = /\s*<path\b([^>]*?)\/>\s*/y;
  while (element.lastIndex < body.length) {
    const at = element.lastIndex;
    const match = element.exec(body);
    if (match === null) throw new Error(`unsupported SVG content near: ${body.slice(at, at + 40)}`);
    const attributes = attributesOf(match[1]!);
    for (const name of attributes.keys()) {
      if (!['d', 'fill', 'fill-opacity', 'stroke', 'stroke-opacity', 'stroke-width'].includes(name)) throw new Error(`unsupported <path> attribute ${name}`);
    }
    const subpaths = parsePathData(attributes.get('d') ?? '');
    // SVG's defaults: paths are filled black and not stroked unless told otherwise.
    const fill = paintOf(attributes.get('fill') ?? '#000000', attributes.get('fill-opacity'));
    const stroke = paintOf(attributes.get('stroke') ?? 'none', attributes.get('stroke-opacity'));
    const strokeWidth = Number(attributes.get('stroke-width') ?? '1');
    if (!(strokeWidth > 0)) throw new Error('unsupported stroke-width');
    const canvas = { width, height, data, scale };
    if (fill !== undefined) fillPath(canvas, subpaths, fill);
    if (stroke !== undefined) strokePath(canvas, subpaths, stroke, strokeWidth);
  }
  return { width, height, data };
}

function attributesOf(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const attribute = /\s*([A-Za-z_:][-\w:.]*)\s*=\s*"([^"]*)"\s*/y;
  while (attribute.lastIndex < source.length) {
    const match = attribute.exec(source);
    if (match === null) throw new Error(`cannot read attributes: ${source}`);
    if (attributes.has(match[1]!)) throw new Error(`attribute ${match[1]} given twice`);
    attributes.set(match[1]!, match[2]!);
  }
  return attributes;
}

function paintOf(color: string, opacity: string | undefined): Paint | undefined {
  if (color === 'none') return undefined;
  const named: Record<string, string> = { black: '#000000', white: '#ffffff' };
  const hex = named[color] ?? color;
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  const parts = long?.slice(1) ?? short?.slice(1).map((c) => c + c);
  if (parts === undefined) throw new Error(`unsupported colour ${color}`);
  const alpha = opacity === undefined ? 1 : Number(opacity);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`unsupported opacity ${opacity}`);
  const [r, g, b] = parts.map((p) => Number.parseInt(p, 16)) as [number, number, number];
  return { rgb: [r, g, b], alpha };
}

/** Path data as subpaths of absolute points; only straight-line commands exist in what qrcode emits. */
function parsePathData(d: string): Array<{ points: Point[]; closed: boolean }> {
  const tokens = d.match(/[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  if (tokens.join('').length !== d.replace(/[\s,]/g, '').length) throw new Error('unreadable path data');
  const subpaths: Array<{ points: Point[]; closed: boolean }> = [];
  let current: Point = [0, 0];
  let start: Point = [0, 0];
  let command = '';
  let i = 0;
  const number = (): number => {
    const token = tokens[i++];
    if (token === undefined || /[A-Za-z]/.test(token)) throw new Error(`path command ${command} is missing a number`);
    return Number(token);
  };
  const lineTo = (point: Point) => {
    const open = subpaths.at(-1);
    if (open === undefined || open.closed) throw new Error('path draws before its first moveto');
    open.points.push(point);
    current = point;
  };
  while (i < tokens.length) {
    // A number where a command is expected repeats the previous command (a moveto repeats as a lineto).
    if (/[A-Za-z]/.test(tokens[i]!)) command = tokens[i++]!;
    else if (command === 'M') command = 'L';
    else if (command === 'm') command = 'l';
    else if (command === '' || command === 'z' || command === 'Z') throw new Error('path data starts without a command');
    const relative = command === command.toLowerCase();
    const [x, y] = current;
    switch (command.toUpperCase()) {
      case 'M': {
        const dx = number();
        const dy = number();
        current = relative ? [x + dx, y + dy] : [dx, dy];
        start = current;
        subpaths.push({ points: [current], closed: false });
        break;
      }
      case 'L': {
        const dx = number();
        const dy = number();
        lineTo(relative ? [x + dx, y + dy] : [dx, dy]);
        break;
      }
      case 'H': {
        const n = number();
        lineTo([relative ? x + n : n, y]);
        break;
      }
      case 'V': {
        const n = number();
        lineTo([x, relative ? y + n : n]);
        break;
      }
      case 'Z': {
        const open = subpaths.at(-1);
        if (open === undefined) throw new Error('path closes before its first moveto');
        open.closed = true;
        current = start;
        // A command after closepath that is not a moveto starts a new subpath at the same point.
        subpaths.push({ points: [current], closed: false });
        break;
      }
      default:
        throw new Error(`unsupported path command ${command}`);
    }
  }
  return subpaths.filter((s) => s.points.length > 1);
}

interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly scale: number;
}

function paintPixel(canvas: Canvas, px: number, py: number, paint: Paint): void {
  const at = (py * canvas.width + px) * 4;
  for (let c = 0; c < 3; c++) canvas.data[at + c] = paint.rgb[c]! * paint.alpha + canvas.data[at + c]! * (1 - paint.alpha);
}

/** Fills by the nonzero rule (SVG's default), sampling each pixel at its centre. */
function fillPath(canvas: Canvas, subpaths: Array<{ points: Point[] }>, paint: Paint): void {
  const edges: Array<[Point, Point]> = [];
  for (const { points } of subpaths) {
    // Filling closes every subpath, whether or not the path data did.
    for (let k = 0; k < points.length; k++) edges.push([points[k]!, points[(k + 1) % points.length]!]);
  }
  const crossing = edges.filter(([a, b]) => a[1] !== b[1]);
  if (crossing.length === 0) return;
  for (let py = 0; py < canvas.height; py++) {
    const y = (py + 0.5) / canvas.scale;
    for (let px = 0; px < canvas.width; px++) {
      const x = (px + 0.5) / canvas.scale;
      let winding = 0;
      for (const [a, b] of crossing) {
        const upward = a[1] <= y && b[1] > y;
        const downward = b[1] <= y && a[1] > y;
        if (!upward && !downward) continue;
        const edgeX = a[0] + ((y - a[1]) / (b[1] - a[1])) * (b[0] - a[0]);
        if (edgeX > x) winding += upward ? 1 : -1;
      }
      if (winding !== 0) paintPixel(canvas, px, py, paint);
    }
  }
}

/**
 * Strokes horizontal and vertical segments with butt caps, sampling each pixel at its centre. Joins and
 * slanted lines are refused rather than approximated: qrcode's runs are single straight segments.
 */
function strokePath(canvas: Canvas, subpaths: Array<{ points: Point[]; closed: boolean }>, paint: Paint, strokeWidth: number): void {
  const half = strokeWidth / 2;
  for (const { points, closed } of subpaths) {
    if (points.length !== 2 || closed) throw new Error('stroked paths with joins are not supported');
    const [[x0, y0], [x1, y1]] = points as [Point, Point];
    let box: [left: number, top: number, right: number, bottom: number];
    if (y0 === y1) box = [Math.min(x0, x1), y0 - half, Math.max(x0, x1), y0 + half];
    else if (x0 === x1) box = [x0 - half, Math.min(y0, y1), x0 + half, Math.max(y0, y1)];
    else throw new Error('slanted strokes are not supported');
    const [left, top, right, bottom] = box.map((v) => v * canvas.scale) as typeof box;
    // Pixel px covers [px, px + 1); it is painted when its centre lies inside the stroke.
    const fromX = Math.max(0, Math.ceil(left - 0.5));
    const toX = Math.min(canvas.width, Math.ceil(right - 0.5));
    const fromY = Math.max(0, Math.ceil(top - 0.5));
    const toY = Math.min(canvas.height, Math.ceil(bottom - 0.5));
    for (let py = fromY; py < toY; py++) for (let px = fromX; px < toX; px++) paintPixel(canvas, px, py, paint);
  }
}
