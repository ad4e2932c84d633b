/**
 * Exports of the sequence diagram for bug reports (browser only): a download of a text or of the
 * diagram as one standalone SVG (the pinned lane names above the arrows). The drawing carries its
 * colours and fonts as attributes, not CSS, so the serialized SVG looks as it does on screen.
 */

/** Saves `content` as a file named `name` (a download from a Blob URL). */
export function download(name: string, type: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The lane names (`head`) and the arrows (`body`) as one SVG document; the hit areas are left out. */
export function diagramSvg(head: SVGSVGElement, body: SVGSVGElement): string {
  const ns = 'http://www.w3.org/2000/svg';
  const headHeight = Number(head.getAttribute('height'));
  const width = Number(body.getAttribute('width'));
  const height = headHeight + Number(body.getAttribute('height'));
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('xmlns', ns);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const background = document.createElementNS(ns, 'rect');
  for (const [k, v] of [['width', '100%'], ['height', '100%'], ['fill', '#ffffff']]) background.setAttribute(k!, v!);
  svg.append(background);
  const top = document.createElementNS(ns, 'g');
  top.append(...[...head.childNodes].map((n) => n.cloneNode(true)));
  const rows = document.createElementNS(ns, 'g');
  rows.setAttribute('transform', `translate(0 ${headHeight})`);
  rows.append(...[...body.childNodes].map((n) => n.cloneNode(true)));
  for (const hit of rows.querySelectorAll('.hit')) hit.remove();
  for (const el of rows.querySelectorAll('[tabindex]')) el.removeAttribute('tabindex');
  svg.append(top, rows);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`;
}
