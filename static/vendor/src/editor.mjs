/* The one entry point esbuild bundles into static/vendor/codemirror-<version>/codemirror.min.js.
 * It exposes window.MockloopEditor.create(textarea, opts): a CodeMirror 6 Python editor
 * that replaces the textarea on screen and writes every change back into it (firing
 * "input"), so the round page's autosave keeps reading the textarea as before. */
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { indentOnInput, indentUnit, bracketMatching, syntaxHighlighting,
  defaultHighlightStyle } from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { python } from "@codemirror/lang-python";

const VERSION = "6.0.2";

const theme = EditorView.theme({
  "&": { border: "1px solid #6b7280", borderRadius: "6px", background: "#fff", fontSize: ".9rem" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    minHeight: "20rem", caretColor: "#111" },
  ".cm-content:focus-visible, .cm-content:focus": { outline: "3px solid #ffbf47", outlineOffset: "2px" },
  ".cm-gutters": { background: "#f3f4f6", color: "#4b5563", borderRight: "1px solid #d1d5db",
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-scroller": { overflow: "auto", maxHeight: "40rem" },
  ".cm-activeLine": { background: "#f5f7ff" },
  ".cm-activeLineGutter": { background: "#e5e7eb", color: "#111" },
});

/* Replace `textarea` with an editor; opts: {id, labelledBy, describedBy, language}. */
function create(textarea, opts) {
  opts = opts || {};
  const readOnly = new Compartment();
  let writing = false; // the editor is writing into the textarea
  let reading = false; // the editor is taking the textarea's new text
  const attrs = { "aria-multiline": "true", role: "textbox", spellcheck: "false",
    autocapitalize: "off", autocorrect: "off" };
  if (opts.id) attrs.id = opts.id;
  if (opts.labelledBy) attrs["aria-labelledby"] = opts.labelledBy;
  if (opts.describedBy) attrs["aria-describedby"] = opts.describedBy;
  const view = new EditorView({
    parent: textarea.parentNode,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(),
        drawSelection(), indentOnInput(), bracketMatching(), closeBrackets(),
        highlightActiveLine(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        indentUnit.of("    "), EditorState.tabSize.of(4), python(), theme,
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        readOnly.of(EditorState.readOnly.of(textarea.readOnly)),
        EditorView.contentAttributes.of(attrs),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || reading) return;
          writing = true;
          textarea.value = update.state.doc.toString();
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
          writing = false;
        }),
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);

  /* The page changed the textarea itself (a restored local copy): show it. */
  function onInput() {
    if (writing) return;
    const text = textarea.value;
    if (text !== view.state.doc.toString()) {
      reading = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      reading = false;
    }
  }
  textarea.addEventListener("input", onInput);
  /* The page made the textarea read-only (time is up): so is the editor. */
  const observer = new MutationObserver(() => {
    view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(textarea.readOnly)) });
    view.contentDOM.setAttribute("aria-readonly", textarea.readOnly ? "true" : "false");
  });
  observer.observe(textarea, { attributes: true, attributeFilter: ["readonly"] });

  return {
    view,
    value: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy() {
      observer.disconnect();
      textarea.removeEventListener("input", onInput);
      view.destroy();
    },
  };
}

window.MockloopEditor = { version: VERSION, create };
document.dispatchEvent(new Event("mockloop:editor-ready"));
