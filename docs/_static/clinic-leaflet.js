// The leaflet maker page (docs/clinic-leaflet.md; calcinosis_guide.maker):
// checks a clinic's details with the schema the build wrote from clinic.py,
// fills the fillable leaflet with them in the browser (pdf-lib, loaded only
// when asked for) and offers the PDF and clinic.toml. Nothing leaves the
// browser. Every word shown comes from the page (its <template> elements).

// The first problem with one field's value, as the key of its message, or null.
export function fieldError(schema, name, value) {
  const field = schema.properties[name];
  if (typeof value !== 'string') return 'text';
  for (const check of field.allOf) {
    if (!new RegExp(check.pattern, 'u').test(value)) return check['x-error'];
  }
  return null;
}

// A TOML basic string: quotes, backslashes and control characters escaped.
export function tomlString(value) {
  return '"' + value.replace(/[\\"\u0000-\u001f\u007f]/gu, (c) => {
    const named = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' }[c];
    return named || '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  }) + '"';
}

const loaded = {};
function loadScript(url) {
  loaded[url] ||= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error(url));
    document.head.append(script);
  });
  return loaded[url];
}

async function bytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// An SVG logo, drawn onto a canvas as PNG (pdf-lib embeds PNG and JPEG only), and its own size.
async function svgToPng(file) {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = 600 / Math.max(image.naturalWidth || 600, image.naturalHeight || 600);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round((image.naturalWidth || 600) * scale);
    canvas.height = Math.round((image.naturalHeight || 600) * scale);
    canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    return { png: new Uint8Array(await blob.arrayBuffer()), width: image.naturalWidth || 600, height: image.naturalHeight || 600 };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function init(form) {
  const data = form.dataset;
  const message = (key, values = {}) => form.querySelector(`template[data-message="${key}"]`).innerHTML
    .replace(/&amp;/g, '&').replace(/\{(\w+)\}/g, (_, k) => values[k]);
  const summary = form.querySelector('.maker-summary');
  const status = form.querySelector('.maker-status');
  const downloads = form.querySelector('.maker-downloads');
  let schema;
  let urls = [];

  function show(name, error) {
    const box = form.querySelector(`#clinic-${name}`);
    const text = form.querySelector(`#clinic-${name}-error`);
    text.hidden = !error;
    text.textContent = error || '';
    box.setAttribute('aria-invalid', error ? 'true' : 'false');
    box.setAttribute('aria-describedby', (error ? `clinic-${name}-error ` : '') + `clinic-${name}-hint`);
  }

  function check(name) {
    const value = form.elements[name].value;
    const field = schema.properties[name];
    const trimmed = value.trim();
    if (!trimmed) return schema.required.includes(name) ? message('required') : null;
    const key = fieldError(schema, name, value);
    if (key === 'text' && [...trimmed].length > field['x-limit']) {
      return message('too_long', { count: [...trimmed].length, limit: field['x-limit'] });
    }
    return key && message(key);
  }

  function logoError() {
    const file = form.elements.logo.files[0];
    if (!file) return null;
    const rules = schema['x-logo'];
    if (!rules.types.includes(file.type)) return message('logo_type');
    if (file.size > rules.maxBytes) return message('logo_size');
    return null;
  }

  function reset() {
    urls.forEach((url) => URL.revokeObjectURL(url));
    urls = [];
    downloads.hidden = true;
  }

  async function make(values) {
    const choice = (name) => form.querySelector(`input[name="${name}"]:checked`).value;
    const leaflet = data[`leaflet${choice('paper') === 'a4' ? 'A4' : 'Letter'}${choice('edition') === 'large' ? 'Large' : 'Standard'}`];
    await loadScript(data.pdfLib);
    await loadScript(data.fontkit);
    const { PDFDocument } = window.PDFLib;
    const pdf = await PDFDocument.load(await bytes(leaflet));
    pdf.registerFontkit(window.fontkit);
    const font = await pdf.embedFont(await bytes(data.font), { subset: false });
    // The clinic's name and phone in the bold face, as the command line prints them.
    const bold = await pdf.embedFont(await bytes(data.fontBold), { subset: false });
    const pdfForm = pdf.getForm();
    const lock = form.elements.lock.checked;
    const { PDFName, PDFBool, PDFString } = window.PDFLib;
    for (const name of data.careTeamFields.split(' ')) {
      const field = pdfForm.getTextField(name);
      const face = name === 'name' || name === 'phone' ? bold : font;
      if (values[name]) {
        field.setText(values[name]);
        // A one-line field may be shorter than its limit (the standard edition, an address in
        // large print): the text then gets smaller to fit rather than cut off.
        const { width } = field.acroField.getWidgets()[0].getRectangle();
        const da = field.acroField.getDefaultAppearance() || '';
        const size = Number(da.match(/([\d.]+) Tf/)?.[1] || 12);
        const needed = face.widthOfTextAtSize(values[name], size);
        if (!field.isMultiline() && needed > width - 4) field.setFontSize(Math.floor(size * (width - 4) / needed * 10) / 10);
        if (face === bold) {
          // A viewer that redraws the field also draws it bold.
          const fitted = field.acroField.getDefaultAppearance().replace(/\/\S+ ([\d.]+ Tf)/, `/${bold.name} $1`);
          field.acroField.dict.set(PDFName.of('DA'), PDFString.of(fitted));
          field.updateAppearances(bold);
        }
      }
      if (lock) field.enableReadOnly();
    }
    pdfForm.updateFieldAppearances(font);
    // Viewers show the appearances drawn here, in the embedded font, rather than redraw them;
    // the fonts are in the form's resources too, for a viewer that redraws a field typed into.
    const acroForm = pdfForm.acroForm.dict;
    acroForm.set(PDFName.of('NeedAppearances'), PDFBool.False);
    const resources = acroForm.lookup(PDFName.of('DR')).lookup(PDFName.of('Font'));
    for (const face of [font, bold]) resources.set(PDFName.of(face.name), face.ref);
    const logo = form.elements.logo.files[0];
    if (logo) {
      const svg = logo.type === 'image/svg+xml' && await svgToPng(logo);
      const image = await pdf.embedPng(svg ? svg.png : new Uint8Array(await logo.arrayBuffer()));
      const page = pdf.getPage(0);
      const mm = 72 / 25.4;
      // As the command line sets it (leaflet.css .clinic-logo): its own size, a CSS pixel a 96th
      // of an inch, made smaller to at most 50 mm wide and 20 mm high.
      const own = { width: (svg || image).width * 0.75, height: (svg || image).height * 0.75 };
      const fit = Math.min(1, 50 * mm / own.width, 20 * mm / own.height);
      const size = { width: own.width * fit, height: own.height * fit };
      const { width, height } = page.getSize();
      // A decorative mark (the clinic's name is on the leaflet as text): an artifact, for PDF/UA.
      const { pushGraphicsState, popGraphicsState, beginMarkedContent, endMarkedContent } = window.PDFLib;
      page.pushOperators(beginMarkedContent('Artifact'), pushGraphicsState());
      page.drawImage(image, { x: width - 13 * mm - size.width, y: height - 12 * mm - size.height, ...size });
      page.pushOperators(popGraphicsState(), endMarkedContent());
    }
    const out = await pdf.save({ updateFieldAppearances: false });
    return { blob: new Blob([out], { type: 'application/pdf' }), name: leaflet.split('/').pop().replace('-fillable', '-clinic') };
  }

  function toml(values) {
    const lines = Object.keys(schema.properties).filter((name) => values[name])
      .map((name) => `${name} = ${tomlString(values[name])}`);
    const logo = form.elements.logo.files[0];
    if (logo) lines.push(`logo = ${tomlString(logo.name)}`);
    return lines.join('\n') + '\n';
  }

  form.addEventListener('change', (event) => {
    reset();
    if (schema && event.target.name in schema.properties) show(event.target.name, check(event.target.name));
    if (schema && event.target.name === 'logo') show('logo', logoError());
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    reset();
    schema ||= await (await fetch(data.schema)).json();
    const values = {};
    const wrong = [];
    for (const name of Object.keys(schema.properties)) {
      values[name] = form.elements[name].value.trim();
      const error = check(name) || (name === 'logo_alt' && !values.logo_alt && form.elements.logo.files[0]
        ? message('logo_alt') : null);
      show(name, error);
      if (error) wrong.push(name);
    }
    const logo = logoError();
    show('logo', logo);
    if (logo) wrong.push('logo');
    summary.hidden = !wrong.length;
    summary.textContent = wrong.length ? message('summary') : '';
    if (wrong.length) {
      form.querySelector(`#clinic-${wrong[0]}`).focus();
      status.textContent = '';
      return;
    }
    status.textContent = message('working');
    try {
      const pdf = await make(values);
      const text = new Blob([toml(values)], { type: 'application/toml' });
      urls = [URL.createObjectURL(pdf.blob), URL.createObjectURL(text)];
      const link = downloads.querySelector('.maker-pdf');
      link.href = urls[0];
      link.download = pdf.name;
      downloads.querySelector('.maker-toml').href = urls[1];
      downloads.hidden = false;
      status.textContent = message('ready');
    } catch (error) {
      status.textContent = message('failed', { error: error.message });
    }
  });
}

if (typeof document !== 'undefined') {
  const form = document.getElementById('clinic-maker');
  if (form) init(form);
}
