import type { ReceivedMail } from '../../harness/mail.ts';

/** The header block, unfolded (RFC 5322 section 2.2.3). */
function headers(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  return (end === -1 ? raw : raw.slice(0, end)).replace(/\r\n(?=[ \t])/g, '').split('\r\n');
}

function header(raw: string, name: string): string {
  const line = headers(raw).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim() ?? '';
}

function quotedPrintable(text: string, underscoreIsSpace: boolean): string {
  const bytes = (underscoreIsSpace ? text.replace(/_/g, ' ') : text)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 encoded words, as nodemailer writes a subject that is not plain ASCII. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : quotedPrintable(text, true),
    );
}

function decodeBody(body: string, encoding: string): string {
  if (encoding.toLowerCase() === 'quoted-printable') return quotedPrintable(body, false);
  if (encoding.toLowerCase() === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

/** The subject, the plain-text part and the HTML part of a received email, decoded as a mail client would show them. */
export function readMail(mail: ReceivedMail): { subject: string; text: string; html: string } {
  const boundary = /boundary="?([^";]+)"?/.exec(header(mail.raw, 'Content-Type'))?.[1];
  const parts = boundary === undefined ? [mail.raw] : mail.raw.split(`--${boundary}`).slice(1, -1).map((p) => p.replace(/^\r\n/, ''));
  const body = (type: string) => {
    const part = parts.find((p) => header(p, 'Content-Type').toLowerCase().startsWith(type)) ?? '';
    return decodeBody(part.slice(part.indexOf('\r\n\r\n') + 4), header(part, 'Content-Transfer-Encoding'));
  };
  return { subject: decodeWords(header(mail.raw, 'Subject')), text: body('text/plain'), html: body('text/html') };
}
