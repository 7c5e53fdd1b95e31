#!/usr/bin/env python3
"""Fails if a public header (other than kong/uv.h) includes a third-party header."""
import pathlib
import re
import sys

FORBIDDEN = re.compile(r'#\s*include\s*[<"](uv\.h|uv/|mbedtls/|psa/|llhttp|simdjson|sqlite3|'
                       r'libpq|postgres|wslay|zlib|yaml|pcre2)')
root = pathlib.Path(sys.argv[1])
bad = []
for header in sorted(root.glob('*.h')) + sorted(root.glob('*.h.in')):
    if header.name == 'uv.h':
        continue
    for n, line in enumerate(header.read_text().splitlines(), 1):
        if FORBIDDEN.search(line):
            bad.append(f'{header}:{n}: {line.strip()}')
if bad:
    print('public headers include third-party headers:\n' + '\n'.join(bad))
    sys.exit(1)
print(f'checked {len(list(root.glob("*.h")))} public headers: no third-party includes')
