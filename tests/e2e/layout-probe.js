// Runs in the page (page.evaluate): measures the visible controls of the current screen.
// (min: smallest target side in px, citizen: whether targets and layout are held to the rule)
// eslint-disable-next-line @typescript-eslint/no-unused-expressions -- the file is one expression for page.evaluate
(min, citizen) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    // inert: behind a modal (the on-screen keyboard); not reachable, so not a target
    return (
      r.width > 0 &&
      r.height > 0 &&
      s.visibility !== 'hidden' &&
      s.display !== 'none' &&
      !el.closest('[inert]')
    );
  };
  const name = (el) =>
    (el.getAttribute('data-testid') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
  const controls = [...document.querySelectorAll('button, [role=button], input, select, textarea')].filter(
    visible,
  );
  const smallTargets = citizen
    ? controls
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => Math.min(r.width, r.height) < min)
        .map(({ el, r }) => `${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`)
    : [];
  const layout = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    layout.push(`page ${document.documentElement.scrollWidth}px wide`);
  for (const el of controls) {
    if (
      el.tagName === 'BUTTON' &&
      (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2)
    )
      layout.push(`clipped: ${name(el)}`);
  }
  // What of a control is on screen: its box cut by every scrolling ancestor. A list that scrolls
  // (large type) is fine; a control that shows through another one is not.
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    let box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let a = el.parentElement; a; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      box = {
        left: Math.max(box.left, c.left),
        top: Math.max(box.top, c.top),
        right: Math.min(box.right, c.right),
        bottom: Math.min(box.bottom, c.bottom),
      };
    }
    return box;
  };
  const boxes = controls.map((el) => ({ el, r: shown(el) }));
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) layout.push(`overlap: ${name(a.el)} / ${name(b.el)}`);
    }
  return { smallTargets, layout };
};
