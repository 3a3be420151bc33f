import { createHash } from 'node:crypto';

/** A small generated portrait (SVG) per staff member, so the pad has something to cache and show. */
export function staffPhotoSvg(staffId: string, name: string): string {
  const h = createHash('sha256').update(staffId).digest();
  const hue = ((h[0] as number) * 360) / 256;
  const initial = [...name][0] ?? '?';
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="160" viewBox="0 0 120 160">` +
    `<rect width="120" height="160" fill="hsl(${hue.toFixed(0)},45%,55%)"/>` +
    `<circle cx="60" cy="62" r="34" fill="rgba(255,255,255,0.85)"/>` +
    `<rect x="22" y="104" width="76" height="56" rx="30" fill="rgba(255,255,255,0.85)"/>` +
    `<text x="60" y="76" font-size="38" text-anchor="middle" font-family="sans-serif" fill="#333">${esc(initial)}</text>` +
    `</svg>`
  );
}
