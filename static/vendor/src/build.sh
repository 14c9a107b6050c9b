#!/bin/sh
# Rebuild static/vendor/codemirror-<v>/ and static/vendor/pyodide-<v>/ from npm (`make vendor`).
# Runs npm in a temporary directory with the exact versions of package-lock.json, so the
# repository never holds node_modules and `make run` never needs npm.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VENDOR=$(dirname "$HERE")
CODEMIRROR=6.0.2
PYODIDE=314.0.8
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/editor.mjs" "$TMP/"
cd "$TMP"
npm ci --no-audit --no-fund --ignore-scripts
# CSP (style-src 'self') refuses the <style> element style-mod adds to a document; it uses a
# constructed stylesheet (adoptedStyleSheets, not subject to CSP) only in shadow roots.
# Use it for documents too (every browser we support has document.adoptedStyleSheets).
sed -i 's/if (!root.head \&\& root.adoptedStyleSheets \&\& win.CSSStyleSheet)/if (root.adoptedStyleSheets \&\& win.CSSStyleSheet)/' \
  node_modules/style-mod/src/style-mod.js
grep -q 'if (root.adoptedStyleSheets && win.CSSStyleSheet)' node_modules/style-mod/src/style-mod.js
mkdir -p "$VENDOR/codemirror-$CODEMIRROR"
./node_modules/.bin/esbuild editor.mjs --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile="$VENDOR/codemirror-$CODEMIRROR/codemirror.min.js"
# MIT asks for the notices to travel with the code: one file beside the bundle.
for pkg in codemirror @codemirror/autocomplete @codemirror/commands @codemirror/lang-python \
    @codemirror/language @codemirror/lint @codemirror/search @codemirror/state @codemirror/view \
    @lezer/common @lezer/highlight @lezer/lr @lezer/python @marijn/find-cluster-break crelt \
    style-mod w3c-keyname; do
  version=$(node -p "require('./node_modules/$pkg/package.json').version")
  printf '==== %s %s ====\n' "$pkg" "$version"
  cat node_modules/$pkg/LICENSE* 2>/dev/null || echo "(MIT; no LICENSE file in the package)"
  printf '\n'
done > "$VENDOR/codemirror-$CODEMIRROR/LICENSES.txt"
npm pack "pyodide@$PYODIDE" --silent >/dev/null
tar xzf "pyodide-$PYODIDE.tgz"
rm -rf "$VENDOR/pyodide-$PYODIDE" && mkdir -p "$VENDOR/pyodide-$PYODIDE"
for f in pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip pyodide-lock.json package.json; do
  cp "package/$f" "$VENDOR/pyodide-$PYODIDE/$f"
done
echo "vendored codemirror $CODEMIRROR and pyodide $PYODIDE into $VENDOR"
