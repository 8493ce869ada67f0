/**
 * A small WXML well-formedness check: tags balance, attributes are quoted, comments and inline
 * <wxs> bodies are skipped, and {{ }} expressions may hold < and >. Returns the problems found.
 */
const VOID_TAGS = new Set(['import', 'include']);

export function checkWxml(src: string): string[] {
  const problems: string[] = [];
  const stack: { name: string; at: number }[] = [];
  let i = 0;
  const line = (at: number) => src.slice(0, at).split('\n').length;
  while (i < src.length) {
    if (src.startsWith('{{', i)) {
      const end = src.indexOf('}}', i + 2);
      if (end < 0) return [...problems, `unclosed {{ at line ${line(i)}`];
      i = end + 2;
      continue;
    }
    if (src[i] !== '<') {
      i++;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) return [...problems, `unclosed comment at line ${line(i)}`];
      i = end + 3;
      continue;
    }
    if (src[i + 1] === '/') {
      const m = /^<\/([A-Za-z][\w-]*)\s*>/.exec(src.slice(i));
      if (!m) return [...problems, `bad closing tag at line ${line(i)}`];
      const open = stack.pop();
      if (!open || open.name !== m[1]) problems.push(`</${m[1]}> at line ${line(i)} closes ${open ? `<${open.name}> of line ${line(open.at)}` : 'nothing'}`);
      i += m[0].length;
      continue;
    }
    const nameMatch = /^<([A-Za-z][\w-]*)/.exec(src.slice(i));
    if (!nameMatch) return [...problems, `bad tag at line ${line(i)}`];
    const name = nameMatch[1];
    let j = i + nameMatch[0].length;
    let selfClosing = false;
    for (;;) {
      while (/\s/.test(src[j] ?? '')) j++;
      if (j >= src.length) return [...problems, `unclosed <${name}> tag at line ${line(i)}`];
      if (src.startsWith('/>', j)) {
        selfClosing = true;
        j += 2;
        break;
      }
      if (src[j] === '>') {
        j++;
        break;
      }
      const attr = /^[A-Za-z_:@][\w:.@-]*/.exec(src.slice(j));
      if (!attr) return [...problems, `bad attribute in <${name}> at line ${line(j)}`];
      j += attr[0].length;
      if (src[j] === '=') {
        const q = src[j + 1];
        if (q !== '"' && q !== "'") return [...problems, `unquoted attribute ${attr[0]} in <${name}> at line ${line(j)}`];
        const end = src.indexOf(q, j + 2);
        if (end < 0) return [...problems, `unclosed attribute ${attr[0]} at line ${line(j)}`];
        j = end + 1;
      }
    }
    i = j;
    if (selfClosing || VOID_TAGS.has(name)) continue;
    if (name === 'wxs') {
      const end = src.indexOf('</wxs>', i);
      if (end < 0) return [...problems, `unclosed <wxs> at line ${line(i)}`];
      i = end + '</wxs>'.length;
      continue;
    }
    stack.push({ name, at: i });
  }
  for (const open of stack) problems.push(`<${open.name}> of line ${line(open.at)} is never closed`);
  return problems;
}
