#!/usr/bin/env bash
# Scaffolds the per-project files that every project shares. Usage: new-project.sh DIR NAME TAGS
set -euo pipefail
dir=$1 name=$2 tags=$3
mkdir -p "$dir/src" "$dir/test"
depth=$(echo "$dir" | awk -F/ '{print NF}'); up=$(printf '../%.0s' $(seq 1 "$depth"))
cat > "$dir/tsconfig.json" <<J
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
J
cat > "$dir/tsconfig.build.json" <<J
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "outDir": "dist", "rootDir": "src", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
J
cat > "$dir/tsconfig.spec.json" <<J
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "isolatedModules": true }
}
J
cat > "$dir/jest.config.js" <<J
import preset from '${up}jest.preset.js';

/** @type {import('jest').Config} */
export default { ...preset, displayName: '$name' };
J
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<J
{
  "name": "@wab/$name",
  "version": "0.1.0",
  "private": true,
  "license": "Apache-2.0",
  "type": "module",
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json",
    "lint": "eslint .",
    "test": "node --experimental-vm-modules --no-warnings=ExperimentalWarning ${up}node_modules/jest/bin/jest.js"
  },
  "nx": { "tags": [$tags] }
}
J
