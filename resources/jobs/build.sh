#!/usr/bin/env bash
# Builds the example jobs: C sources with Debian's clang + wasi-libc, WAT sources with wabt (npm).
# Needs: apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 (Debian 12), and `npm ci` for wabt.
# The built .wasm files are committed next to their sources so tests and users do not need a compiler.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CC="${CC:-clang}"
SYSROOT="${WASI_SYSROOT:-/usr}"
# Reproducible output: no build paths or timestamps in the binaries, debug names stripped.
CFLAGS=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -ffile-prefix-map="$here"=. -Wl,--strip-all)

for src in hello sha256sum; do
  "$CC" "${CFLAGS[@]}" -o "$here/c/$src.wasm" "$here/c/$src.c"
  echo "built resources/jobs/c/$src.wasm"
done
# Freestanding kernel for bench/runtime.ts: no libc, no imports, one export.
"$CC" --target=wasm32 -O2 -nostdlib -Wall -Wextra -Wl,--no-entry -Wl,--strip-all \
  -o "$here/c/sha256-kernel.wasm" "$here/c/sha256-kernel.c"
echo "built resources/jobs/c/sha256-kernel.wasm"

(cd "$root" && node --input-type=module -e '
  import { readFileSync, writeFileSync, readdirSync } from "node:fs"
  const wabt = await (await import("wabt")).default()
  const dir = process.argv[1]
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".wat")).sort()) {
    const module = wabt.parseWat(name, readFileSync(`${dir}/${name}`, "utf8"))
    writeFileSync(`${dir}/${name.replace(/\.wat$/, ".wasm")}`, module.toBinary({}).buffer)
    module.destroy()
    console.log(`built resources/jobs/wat/${name.replace(/\.wat$/, ".wasm")}`)
  }
' "$here/wat")
