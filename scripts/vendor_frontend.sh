#!/usr/bin/env bash
# Re-vendor the front-end assets into static/vendor/ from the npm registry.
# Nothing is loaded from a CDN at run time: users behind NHS firewalls have no internet.
# The NHS.UK stylesheet links its Frutiger web font from assets.nhs.uk; that font is
# licensed to NHS.UK and cannot be redistributed, so the @font-face rules are stripped and
# the design system's own fallback stack (Arial, sans-serif) is used. Image URLs are made
# relative to the stylesheet so the assets resolve under STATIC_URL.
set -euo pipefail
NHSUK=10.6.1 CHARTJS=4.6.1 HTMX=2.0.11 AXE=4.14.1
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "nhsuk-frontend@$NHSUK" "chart.js@$CHARTJS" "htmx.org@$HTMX" "axe-core@$AXE" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
rm -rf "$out" && mkdir -p "$out/nhsuk/assets" "$out/chartjs" "$out/htmx" "$out/axe"
src="nhsuk-frontend-$NHSUK/package/dist/nhsuk"
sed -E -e 's#@font-face\{[^}]*\}##g' -e 's#url\(/assets/#url(assets/#g' \
  "$src/nhsuk-frontend.min.css" > "$out/nhsuk/nhsuk-frontend.min.css"
cp "$src/nhsuk-frontend.min.js" "$out/nhsuk/"
cp -r "$src/assets/images" "$out/nhsuk/assets/"
# The source maps are not vendored, so their references go: the production manifest storage
# (collectstatic) would stop on each missing .map file.
sed -i -e 's|//# sourceMappingURL=[^ ]*\.map||' -e 's|/\*# sourceMappingURL=[^ ]*\.map \*/||' \
  "$out/nhsuk/nhsuk-frontend.min.css" "$out/nhsuk/nhsuk-frontend.min.js" "$out/chartjs/chart.umd.min.js"
printf 'nhsuk-frontend %s, MIT licence (package.json "license": "MIT")\nCopyright (c) NHS England. https://github.com/nhsuk/nhsuk-frontend\n\n' "$NHSUK" > "$out/nhsuk/LICENSE"
cat >> "$out/nhsuk/LICENSE" <<'MIT'
Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
cp "chart.js-$CHARTJS/package/dist/chart.umd.min.js" "$out/chartjs/"
cp "chart.js-$CHARTJS/package/LICENSE.md" "$out/chartjs/LICENSE.md"
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "$out/htmx/"
cp "htmx.org-$HTMX/package/LICENSE" "$out/htmx/LICENSE"
cp "axe-core-$AXE/package/axe.min.js" "$out/axe/"
cp "axe-core-$AXE/package/LICENSE" "$out/axe/LICENSE"
# The source maps are not vendored, so their references go: the production manifest storage
# (collectstatic) would stop on each missing .map file.
sed -i -e 's|//# sourceMappingURL=[^ ]*\.map||' -e 's|/\*# sourceMappingURL=[^ ]*\.map \*/||' \
  "$out/nhsuk/nhsuk-frontend.min.css" "$out/nhsuk/nhsuk-frontend.min.js" "$out/chartjs/chart.umd.min.js"
printf 'nhsuk-frontend %s\nchart.js %s\nhtmx.org %s\naxe-core %s\n' "$NHSUK" "$CHARTJS" "$HTMX" "$AXE" > "$out/VERSIONS"
echo "vendored into $out"
